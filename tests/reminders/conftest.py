# Reused fixtures: the 西山区 directory, the seed plan and users (tests/web); real SMTP and robot servers (tests/notify).
from tests.notify.conftest import hanging_server, robot, short_timeout, smtp_server  # noqa: F401
from tests.web.conftest import as_user, coordinator, leader, liaison, media_root, org, seed_plan, unit  # noqa: F401
