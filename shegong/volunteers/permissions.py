"""The permissions of the volunteers app. Roles grant them (accounts/roles.py); the data scope decides where."""

VIEW = "volunteers.view_volunteer"
ADD = "volunteers.add_volunteer"
CHANGE = "volunteers.change_volunteer"  # edit, status, account, training, awards, evaluations
VIEW_TEAM = "volunteers.view_volunteerteam"
ADD_TEAM = "volunteers.add_volunteerteam"
CHANGE_TEAM = "volunteers.change_volunteerteam"
VIEW_RECORD = "volunteers.view_servicerecord"
ADD_RECORD = "volunteers.add_servicerecord"
CHANGE_RECORD = "volunteers.change_servicerecord"  # keepers: confirm, correct, void any record in their scope
CONFIRM = "volunteers.confirm_servicerecord"  # organisers: confirm, correct, void the records they organised
