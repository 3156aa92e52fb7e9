# The web tests' fixtures: the 西山区 directory, the seed plan, users of each role.
from tests.web.conftest import as_user, coordinator, leader, liaison, media_root, org, seed_plan, unit  # noqa: F401
