"""Names for synthetic people: small lists from the communities a US movement draws on.

Names come in groups (a given name and a family name from the same tradition),
so that the demo does not pair an Arabic given name with an Irish family name
more often than life does. A few groups are written in their own script (Arabic,
Hebrew, Chinese, Korean), so that pages, exports and emails get exercised on
text that is not Latin. Each name carries an ASCII spelling for its email address.
"""

import unicodedata
from dataclasses import dataclass

import numpy as np


def ascii_spelling(name: str) -> str:
    """'Núñez' → 'nunez', "O'Connor" → 'oconnor': for email addresses."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha()).lower()


@dataclass(frozen=True)
class NameGroup:
    share: float  # of people
    given: tuple[tuple[str, str], ...]  # (as written, ASCII spelling)
    family: tuple[tuple[str, str], ...]


def _latin(share: float, given: str, family: str) -> NameGroup:
    return NameGroup(
        share,
        tuple((n, ascii_spelling(n)) for n in given.split(", ")),
        tuple((n, ascii_spelling(n)) for n in family.split(", ")),
    )


GROUPS: tuple[NameGroup, ...] = (
    _latin(
        0.34,
        "Emma, Olivia, Ava, Sophia, Grace, Hannah, Claire, Megan, Sarah, Rachel, Liam, Noah, "
        "James, Ethan, Mason, Lucas, Henry, Owen, Caleb, Daniel, Ruth, Walter, Joan, Frank",
        "Smith, Johnson, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore, Martin, "
        "Thompson, White, Harris, Clark, Lewis, Walker, Young, Allen, King, Wright",
    ),
    _latin(
        0.18,
        "María, José, Sofía, Mateo, Valentina, Santiago, Camila, Diego, Lucía, Alejandro, "
        "Ximena, Joaquín, Guadalupe, Andrés, Inés, Raúl",
        "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
        "Torres, Flores, Núñez, Gutiérrez, Ortiz, Cruz, Reyes",
    ),
    _latin(
        0.12,
        "Jamal, Aaliyah, DeShawn, Imani, Malik, Keisha, Tyrone, Nia, Darnell, Ebony, Andre, "
        "Latoya, Marcus, Tamika, Jerome, Kiara",
        "Washington, Jackson, Robinson, Brooks, Coleman, Jenkins, Banks, Freeman, Gaines, "
        "Mosley, Battle, Dorsey",
    ),
    _latin(
        0.05,
        "Chidi, Ngozi, Oluwaseun, Adaeze, Kwame, Abena, Tendai, Amara, Kofi, Folake",
        "Okafor, Adeyemi, Mensah, Okonkwo, Boateng, Mwangi, Diallo, Nwosu, Asante, Balogun",
    ),
    _latin(
        0.06,
        "Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Aisha, Rahul, Deepa, Sanjay",
        "Patel, Sharma, Singh, Gupta, Reddy, Iyer, Chaudhary, Nair, Desai, Khan",
    ),
    _latin(
        0.05,
        "Linh, Minh, Thảo, Huy, Ngọc, Tuấn, Lan, Quang",
        "Nguyễn, Trần, Lê, Phạm, Hoàng, Võ, Đặng, Bùi",
    ),
    _latin(
        0.06,
        "Siobhán, Seán, Aoife, Niamh, Ciarán, Maeve, Pádraig, Declan, Gianna, Marco, Giulia, "
        "Matteo, Zofia, Jakub, Agnieszka, Tomasz",
        "O'Connor, O'Brien, Murphy, Kelly, Byrne, Ryan, Romano, Esposito, Russo, Bianchi, "
        "Kowalski, Nowak, Wiśniewski, Zielińska",
    ),
    NameGroup(
        0.03,
        (("伟", "wei"), ("芳", "fang"), ("明", "ming"), ("静", "jing"), ("Mei", "mei"), ("Jun", "jun")),
        (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("Chen", "chen"), ("Huang", "huang")),
    ),
    NameGroup(
        0.03,
        (("지우", "jiwoo"), ("서연", "seoyeon"), ("민준", "minjun"), ("Hana", "hana"), ("Joon", "joon")),
        (("김", "kim"), ("이", "lee"), ("박", "park"), ("Choi", "choi"), ("Jung", "jung")),
    ),
    NameGroup(
        0.04,
        (
            ("محمد", "mohammed"),
            ("فاطمة", "fatima"),
            ("أحمد", "ahmed"),
            ("ليلى", "layla"),
            ("يوسف", "yusuf"),
            ("مريم", "maryam"),
            ("Omar", "omar"),
            ("Noor", "noor"),
        ),
        (
            ("حداد", "haddad"),
            ("خوري", "khoury"),
            ("منصور", "mansour"),
            ("نصر", "nasr"),
            ("Saleh", "saleh"),
            ("Haddad", "haddad"),
        ),
    ),
    NameGroup(
        0.04,
        (
            ("נועה", "noa"),
            ("אורי", "uri"),
            ("תמר", "tamar"),
            ("יונתן", "yonatan"),
            ("שירה", "shira"),
            ("Avi", "avi"),
            ("Miriam", "miriam"),
        ),
        (
            ("כהן", "cohen"),
            ("לוי", "levi"),
            ("מזרחי", "mizrahi"),
            ("פרץ", "peretz"),
            ("Goldberg", "goldberg"),
            ("Friedman", "friedman"),
        ),
    ),
)


@dataclass(frozen=True)
class Names:
    given: list[str]
    family: list[str]
    given_ascii: list[str]
    family_ascii: list[str]


def draw_names(rng: np.random.Generator, count: int) -> Names:
    """`count` names, each person's group drawn by its share, names uniformly within it."""
    shares = np.array([g.share for g in GROUPS])
    group = rng.choice(len(GROUPS), size=count, p=shares / shares.sum())
    picked: dict[str, list[tuple[str, str]]] = {}
    for part in ("given", "family"):
        # One flat table of every group's names: a person's pick is their group's
        # first row plus a uniform index below the group's size.
        table = [name for g in GROUPS for name in getattr(g, part)]
        sizes = np.array([len(getattr(g, part)) for g in GROUPS])
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        index = first[group] + (rng.random(count) * sizes[group]).astype(np.int64)
        picked[part] = [table[i] for i in index.tolist()]
    return Names(
        given=[name for name, _ in picked["given"]],
        family=[name for name, _ in picked["family"]],
        given_ascii=[spelling for _, spelling in picked["given"]],
        family_ascii=[spelling for _, spelling in picked["family"]],
    )
