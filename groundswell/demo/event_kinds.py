"""What synthetic events are called and what they say: kinds of events, each with
titles, venues, a description, the hours they start at (local time), how long they
last and how many RSVPs they usually draw; and the lines hosts and organizers write.

Words only: `events` decides who hosts what, when and where.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of event: titles and venues ({place}: the locality, {host}: the host's
    given name), a description, local start hours, durations in hours, and the median
    number of RSVPs."""

    name: str
    titles: tuple[str, ...]
    venues: tuple[str, ...]
    description: str
    hours: tuple[float, ...]
    durations: tuple[float, ...]
    rsvps: float
    weekend: bool = False
    online: bool = False


HOUSE_MEETING = Kind(
    "house meeting",
    ("House meeting in {place}", "Neighbors' house meeting", "Coffee and conversation in {place}"),
    ("{host}'s living room", "{host}'s back porch", "{host}'s kitchen table"),
    "A small gathering of neighbors: why we care, what we could do together here in "
    "{place}, and who else we should invite. Snacks provided. **Bring a friend.**",
    (18.5, 19.0),
    (1.5, 2.0),
    8.0,
)
MEMBER_KINDS: tuple[tuple[Kind, float], ...] = (
    (HOUSE_MEETING, 0.24),
    (
        Kind(
            "canvass",
            ("Door-knocking canvass in {place}", "Neighborhood canvass", "Weekend canvass: {place}"),
            ("Meeting at {place} Public Library", "Meeting at {host}'s front porch", "Meeting at the park"),
            "We knock on doors in pairs and listen to what neighbors in {place} care about. "
            "First time? We will train you on the spot and pair you with someone experienced.",
            (10.0, 11.0, 13.0),
            (2.0, 2.5, 3.0),
            9.0,
            weekend=True,
        ),
        0.14,
    ),
    (
        Kind(
            "phone bank",
            ("Phone bank", "Evening phone bank in {place}", "Call-your-neighbors phone bank"),
            ("{host}'s dining room", "Community room, {place} Public Library"),
            "Bring a charged phone and a laptop if you have one. We call members near {place} "
            "and invite them to what is coming up. Scripts and pizza provided.",
            (18.0, 18.5, 19.0),
            (2.0, 2.5),
            7.0,
        ),
        0.14,
    ),
    (
        Kind(
            "film night",
            ("Film night", "Documentary screening and discussion", "Movie night in {place}"),
            ("{place} Community Center", "{host}'s living room", "Back room of the bookshop"),
            "We watch a short documentary together, then talk about what it means for {place}.",
            (18.5, 19.0),
            (2.5, 3.0),
            12.0,
        ),
        0.08,
    ),
    (
        Kind(
            "letter-writing",
            ("Letter-writing party", "Postcards to voters", "Write your representative"),
            ("{place} Public Library", "{host}'s kitchen table", "The corner café"),
            "Handwritten letters get read. We bring paper, stamps and talking points; you bring your story.",
            (14.0, 18.5, 19.0),
            (1.5, 2.0),
            7.0,
        ),
        0.12,
    ),
    (
        Kind(
            "potluck",
            ("Neighborhood potluck", "Potluck and planning", "Block party planning potluck"),
            ("{host}'s back yard", "{place} Park pavilion", "Church hall"),
            "Bring a dish to share. We eat, meet each other and plan the next few months in {place}.",
            (12.0, 17.0, 18.0),
            (2.0, 3.0),
            12.0,
            weekend=True,
        ),
        0.08,
    ),
    (
        Kind(
            "training",
            ("Organizing 101: one-on-ones", "Host training", "Story of self workshop"),
            ("{place} Community Center", "Union hall", "{place} Public Library"),
            "A hands-on workshop: practice the conversations that build a movement, with people "
            "who have done it.",
            (10.0, 18.5),
            (2.0, 3.0),
            10.0,
        ),
        0.07,
    ),
    (
        Kind(
            "book club",
            ("Book club: Rules for Radicals", "Reading group", "Book club: Emergent Strategy"),
            ("{host}'s living room", "The corner café", "{place} Public Library"),
            "We discuss a few chapters at a time. Not finished? Come anyway.",
            (19.0,),
            (1.5,),
            6.0,
        ),
        0.07,
    ),
    (
        Kind(
            "vigil",
            ("Vigil in {place}", "Rally at city hall", "Community speak-out"),
            ("{place} City Hall steps", "Town square"),
            "We stand together in public. Bring a sign and a friend.",
            (12.0, 17.5),
            (1.0, 1.5),
            20.0,
        ),
        0.06,
    ),
)
MONTHLY_MEETING = Kind(
    "monthly meeting",
    ("{place} monthly meeting", "Monthly neighbors' meeting", "{place} chapter meeting"),
    ("Community room, {place} Public Library", "{host}'s living room", "{place} Community Center"),
    "Our regular meeting: what happened this month, what comes next, and who does what. "
    "Newcomers are always welcome.",
    (18.5, 19.0),
    (1.5, 2.0),
    10.0,
)
SUMMER_HOUSE_MEETING = Kind(
    "campaign house meeting",
    ("Summer house meeting in {place}", "House meeting: what we want for {place}"),
    HOUSE_MEETING.venues,
    HOUSE_MEETING.description,
    (18.5, 19.0),
    (1.5, 2.0),
    9.0,
)
DAY_OF_ACTION_KINDS: tuple[tuple[Kind, float], ...] = (
    (
        Kind(
            "day of action canvass",
            ("Day of Action: canvass in {place}", "Day of Action door-knocking"),
            ("Meeting at {place} Public Library", "Meeting at {host}'s front porch"),
            "Our part of the national Day of Action: we knock on doors across {place}.",
            (10.0, 11.0),
            (2.5, 3.0),
            12.0,
        ),
        0.4,
    ),
    (
        Kind(
            "day of action rally",
            ("Day of Action rally in {place}", "Day of Action: speak-out"),
            ("{place} City Hall steps", "Town square"),
            "Thousands of us, in hundreds of towns, on the same day. This is {place}'s.",
            (12.0, 13.0),
            (1.5, 2.0),
            20.0,
        ),
        0.3,
    ),
    (
        Kind(
            "day of action phone bank",
            ("Day of Action phone bank", "Day of Action: call your neighbors"),
            ("{host}'s dining room", "Community room, {place} Public Library"),
            "Part of the national Day of Action: we call members nearby and invite them out.",
            (13.0, 14.0),
            (2.0, 3.0),
            8.0,
        ),
        0.3,
    ),
)
STAFF_KINDS: tuple[tuple[Kind, float], ...] = (
    (
        Kind(
            "orientation call",
            ("New member orientation call", "Welcome call for new members"),
            ("Online",),
            "Just joined? Meet the organizers and other new members, hear what we are working "
            "on, and find your first step.",
            (19.0, 20.0),
            (1.0,),
            30.0,
            online=True,
        ),
        0.4,
    ),
    (
        Kind(
            "host training call",
            ("Host training call", "How to host a house meeting (call)"),
            ("Online",),
            "Everything you need to host your first event: inviting people, running the "
            "meeting, and following up.",
            (19.0, 20.0),
            (1.0, 1.5),
            20.0,
            online=True,
        ),
        0.2,
    ),
    (
        Kind(
            "town hall",
            ("Town hall in {place}", "Community town hall: {place}", "Founding meeting in {place}"),
            ("{place} Community Center", "Union hall", "{place} Public Library auditorium"),
            "Organizers and members meet in person: where the movement stands and where it goes next.",
            (18.5, 19.0),
            (2.0,),
            30.0,
        ),
        0.4,
    ),
)
DAY_OF_ACTION_KICKOFF = Kind(
    "day of action kickoff",
    ("Day of Action kickoff rally",),
    ("{place} City Hall steps",),
    "The national Day of Action starts here, with organizers and members from across the region.",
    (11.0,),
    (2.0,),
    40.0,
)
REPORT_NOTES = (
    "Great turnout. Three people signed up to host next month.",
    "Smaller than we hoped, but real conversations. Following up one by one.",
    "We made 120 calls and had 40 conversations.",
    "Knocked on about 200 doors; most people had not heard of us yet.",
    "Good energy. Next time we need a bigger room.",
)
REJECTION_NOTES = (
    "A Day of Action event needs a public meeting place: please add one and submit it again.",
    "There is already an event at this place and time: please co-host that one instead.",
)
