"""Demo: the real divisions of 广州市 (4401), all districts, streets and communities."""

from shegong.regions import loading

DEMO_CITY = "4401"


def load(context: dict) -> None:
    result = loading.load_shipped(city=DEMO_CITY)
    context["stdout"].write(
        f"行政区划：广州市 {sum(result.read.values()):,} 条（新增 {result.created:,}），用时 {result.seconds:.1f} 秒"
    )
    context["city_code"] = DEMO_CITY.ljust(12, "0")
