"""The permissions of the charity app. Roles grant them (accounts/roles.py); the data scope decides where."""

VIEW_POINT = "charity.view_charitypoint"
ADD_POINT = "charity.add_charitypoint"
CHANGE_POINT = "charity.change_charitypoint"
VIEW_DONATION = "charity.view_donation"
ADD_DONATION = "charity.add_donation"
VIEW_ALLOCATION = "charity.view_allocation"
ADD_ALLOCATION = "charity.add_allocation"
