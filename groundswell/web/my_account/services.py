"""The one write of My account that needs the apps above accounts: building the archive."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from groundswell.accounts.models import DataExport
from groundswell.accounts.services import fail_data_export, store_data_export
from groundswell.messaging.services import send_data_export_ready
from groundswell.web.my_account.exports import build_archive

log = logging.getLogger(__name__)


def build_data_export(*, export_id: int) -> DataExport | None:
    """Build the archive a person asked for, keep it, and email them that it is ready. An
    export already built (a task run twice) or gone (the person left) is left alone. A
    failure marks the export failed, so the page offers to try again instead of waiting."""
    export = (
        DataExport.objects.select_related("person")
        .filter(pk=export_id, status=DataExport.Status.PREPARING)
        .first()
    )
    if export is None:
        return None
    try:
        with build_archive(export.person) as archive:
            export = store_data_export(export=export, content=archive)
    except Exception:
        log.exception("Building data export %s failed", export.uuid)
        fail_data_export(export=export)
        return export
    if export.status == DataExport.Status.READY:
        url = settings.SITE_URL + reverse("my_account:download", args=[export.uuid])
        with transaction.atomic():
            send_data_export_ready(person=export.person, export_key=export.uuid.hex, download_url=url)
    return export
