"""The permissions of the requests app. Roles grant them (accounts/roles.py); the data scope decides where.

A social worker needs no request permission to see and work the requests assigned to them: the data scope's owner
path (`assigned_worker__account`) lets them reach exactly those, behind the serving permission they hold anyway.
"""

VIEW = "servicerequests.view_servicerequest"  # the station's and the bureau's lists, details, export
DISPATCH = "servicerequests.dispatch_servicerequest"  # the queue: assign, 一键派单, dismiss, capacities
SERVE = "casework.add_case"  # a worker's own requests: accept, decline, turn into a case, close
