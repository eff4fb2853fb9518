"""`groundswell import KIND FILE…`: bring outside data in, one kind per subcommand.

Each kind lives with its app (`advocacy.imports.targets`, `advocacy.imports.districts`; later
the history import of METRICS.md K1) as a module with `add_arguments(parser)` and
`run(options, console)`. Every importer checks the whole file before it writes, writes in
one transaction, is idempotent, shows progress and ends with a summary; a bad file is a
`core.errors.ValidationError`, printed here as a message (exit status 1), never a traceback.
"""

import importlib
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.core.errors import ValidationError

KINDS = {
    "targets": "groundswell.advocacy.imports.targets",
    "districts": "groundswell.advocacy.imports.districts",
}


class Command(BaseCommand):
    help = "Import targets (elected officials, decision-makers) or district boundaries."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, module in KINDS.items():
            importer = importlib.import_module(module)
            sub = kinds.add_parser(kind, help=(importer.__doc__ or "").strip().splitlines()[0])
            importer.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console

        importer = importlib.import_module(KINDS[options["kind"]])
        # Django's OutputWrapper is a text stream (a TextIOBase) writing to the command's own
        # stdout, which call_command(stdout=…) replaces in tests.
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        try:
            importer.run(options, console)
        except ValidationError as error:
            raise CommandError(str(error)) from error
