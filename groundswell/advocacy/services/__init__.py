"""Every write of advocacy data: each takes the actor and checks it.

By concept: `campaigns` (advocacy campaigns), `petitions` (petitions, signing, writing to
signers), `outreach` (logging a contact with a target), `review` (organizers' approval and
trusted starters); `districts` (who represents whom) is its own. Callers use the names here.
"""

from groundswell.advocacy.services.campaigns import (
    CampaignDetails,
    TargetPick,
    close_campaign,
    set_platform_sending,
    start_campaign,
    update_campaign,
)
from groundswell.advocacy.services.outreach import (
    OutreachReport,
    OutreachResult,
    log_outreach,
    log_outreach_as_guest,
    send_for_member,
)
from groundswell.advocacy.services.petitions import (
    SIGN_CONSENT_WORDING,
    PetitionDetails,
    SignResult,
    close_petition,
    message_signers,
    sign,
    sign_as_guest,
    start_petition,
    update_petition,
)
from groundswell.advocacy.services.review import approve, reject, request_changes, trust_starter

__all__ = [
    "SIGN_CONSENT_WORDING",
    "CampaignDetails",
    "OutreachReport",
    "OutreachResult",
    "PetitionDetails",
    "SignResult",
    "TargetPick",
    "approve",
    "close_campaign",
    "close_petition",
    "log_outreach",
    "log_outreach_as_guest",
    "message_signers",
    "reject",
    "request_changes",
    "send_for_member",
    "set_platform_sending",
    "sign",
    "sign_as_guest",
    "start_campaign",
    "start_petition",
    "trust_starter",
    "update_campaign",
    "update_petition",
]
