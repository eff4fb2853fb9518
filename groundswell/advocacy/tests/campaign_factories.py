"""Targets, campaigns and petitions for tests: targets made with the ORM (as an import
would leave them), campaigns and petitions made through the services."""

from groundswell.accounts.actors import Actor, actor_for_person
from groundswell.accounts.models import User
from groundswell.advocacy import services
from groundswell.advocacy.models import AdvocacyCampaign, Level, Petition, Target, TargetPhone

SCRIPT = (
    "Hi, I'm {member_name} from {member_town}. I'm calling {target_title} {target_name} about clean water."
)


def make_target(
    name: str = "Alex Padilla",
    *,
    title: str = "Senator",
    level: int = Level.FEDERAL,
    chamber: str = Target.Chamber.UPPER,
    ocd_id: str = "ocd-division/country:us/state:ca",
    serving: bool = True,
    phone: str = "(202) 224-3553",
    **extra: object,
) -> Target:
    target = Target.objects.create(
        name=name, title=title, level=level, chamber=chamber, ocd_id=ocd_id, serving=serving, **extra
    )
    if phone:
        TargetPhone.objects.create(target=target, label="DC office", number=phone)
    return target


def as_actor(user: User) -> Actor:
    return actor_for_person(user.person)


def campaign_details(**overrides: object) -> services.CampaignDetails:
    values: dict = {
        "title": "Call for clean water",
        "script": SCRIPT,
        "target_levels": [services.TargetPick(Level.FEDERAL, Target.Chamber.UPPER)],
        "goal": 10,
    }
    values.update(overrides)
    return services.CampaignDetails(**values)


def make_campaign(starter: User, *, draft: bool = False, **overrides: object) -> AdvocacyCampaign:
    return services.start_campaign(
        actor=as_actor(starter), details=campaign_details(**overrides), draft=draft
    )


def petition_details(**overrides: object) -> services.PetitionDetails:
    values: dict = {
        "title": "Save the library",
        "text": "We ask the council to keep the library open.",
        "goal": 100,
    }
    values.update(overrides)
    return services.PetitionDetails(**values)


def make_petition(starter: User, *, draft: bool = False, **overrides: object) -> Petition:
    return services.start_petition(
        actor=as_actor(starter), details=petition_details(**overrides), draft=draft
    )
