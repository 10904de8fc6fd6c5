from ninja import Router

router = Router(tags=["volunteers"])


# --- Volunteer service certificates (志愿服务记录证明, helper V1b: shegong/volunteers/certificates.py) ---------------
from shegong.volunteers import certificates as certs  # noqa: E402

router.add_router("/certificates/", certs.api_router)
