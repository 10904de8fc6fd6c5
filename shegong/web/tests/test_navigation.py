"""The menu shows an entry to whoever holds its permission, or any one of its permissions when it names several."""

import pytest

from shegong.web.navigation import items_for

pytestmark = pytest.mark.django_db


def _entries(user) -> set[str]:
    return {item["url_name"] for item in items_for(user)}


def test_a_social_worker_sees_the_service_entries_through_their_add_permissions(world):
    # 社工 holds add_groupwork / add_communityactivity but no view permission: the lists show their own rows.
    entries = _entries(world.worker_b)
    assert {"groupwork:group_list", "groupwork:activity_list", "casework:mine"} <= entries
    assert "casework:list" not in entries


def test_an_entry_stays_hidden_from_a_user_holding_none_of_its_permissions(world):
    assert not {"groupwork:group_list", "groupwork:activity_list"} & _entries(world.evaluator)
    assert not {"groupwork:group_list", "casework:mine"} & _entries(world.no_role)
