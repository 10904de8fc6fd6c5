"""The permissions of the referrals app. Roles grant them (accounts/roles.py); the data scope decides where."""

VIEW = "referrals.view_referral"
ADD = "referrals.add_referral"
ANSWER = "referrals.answer_referral"  # accept, reject, complete a referral addressed to one's station or agency
