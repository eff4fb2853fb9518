"""Every write of group data: each takes the actor and checks it. By concept: `membership`
(starting, joining, leaving, requests, invitations, approval of new groups) and `leading`
(roles, handing over, messaging the group, its events)."""
