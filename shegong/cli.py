"""The `shegong` command for operators: Django's management commands, with the project's settings preset.

`shegong regions load --province 44` runs the `regions` management command with its `load` action, and so on for
`audit verify`, `demo load`, `bench ...`. `shegong help` lists every command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shegong", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
