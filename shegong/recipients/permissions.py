"""The permissions of the recipients app. Roles grant them (accounts/roles.py); the data scope decides where."""

VIEW = "recipients.view_recipient"
ADD = "recipients.add_recipient"
CHANGE = "recipients.change_recipient"  # edit, categories, consent given or withdrawn
VIEW_WITHDRAWN = "recipients.view_withdrawn_recipient"  # the bureau's legally required record
