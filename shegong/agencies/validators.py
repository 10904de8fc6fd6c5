from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a mod-31 check character, checked by python-stdnum."""
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”无效：应为 18 位，且校验位正确。"),
            code="invalid_credit_code",
            params={"value": value},
        ) from None
