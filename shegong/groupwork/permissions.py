"""The permissions of the group-work app. Roles grant them (accounts/roles.py); the data scope decides where.

A social worker holds only the add permissions (SERVE): they keep the groups they lead and the activities they organise
as their owner (the data scope's owner rule), which the services check with `keepable`.
"""

VIEW_GROUP = "groupwork.view_groupwork"
ADD_GROUP = "groupwork.add_groupwork"
CHANGE_GROUP = "groupwork.change_groupwork"  # edit, stage moves, members, sessions and attendance
VIEW_ACTIVITY = "groupwork.view_communityactivity"
ADD_ACTIVITY = "groupwork.add_communityactivity"
CHANGE_ACTIVITY = "groupwork.change_communityactivity"
