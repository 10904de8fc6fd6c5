"""The time bank's permission names (accounts/roles.py lists them in the issue 8 role lists)."""

VIEW = "timebank.view_account"
ADD_ACCOUNT = "timebank.add_account"
TRANSFER = "timebank.add_transfer"
VIEW_OFFER = "timebank.view_offer"
ADD_OFFER = "timebank.add_offer"
