"""The permissions of the casework app. Roles grant them (accounts/roles.py); the data scope decides where.

The 承办社工 (the case's worker account) is the owner of a case: they read and keep their own cases with ADD alone
(the social worker role holds no VIEW), as the data scope's owner path says."""

VIEW = "casework.view_case"
ADD = "casework.add_case"  # open a case; a worker also keeps their own cases with it
CHANGE = "casework.change_case"  # keep the cases of one's scope: stage content, moves, sessions, crisis flags
REVIEW = "casework.review_case"  # 督导审阅
