import pytest


@pytest.fixture
def teams(world, lead):
    """Two teams: "Tổ 1" under the center (the center's lead sees it) and "Tổ 2" beside it
    with its own lead; one agent each, plus a manager."""
    from cskh.org.services import create_unit, create_user

    center = world["center"]
    t1 = create_unit(code="TO1", name="Tổ 1", kind="team", parent=center)
    t2 = create_unit(code="TO2", name="Tổ 2", kind="team")
    pw = "Matkhau!2026"
    return {
        "center": center,
        "t1": t1,
        "t2": t2,
        "agent": world["agent"],
        "a1": create_user(
            username="a1", password=pw, role="agent", unit=t1, first_name="Hoa", last_name="Lê"
        ),
        "a2": create_user(
            username="a2", password=pw, role="agent", unit=t2, first_name="Nam", last_name="Phạm"
        ),
        "lead": lead,
        "lead2": create_user(username="lead2", password=pw, role="shift_lead", unit=t2),
        "manager": create_user(username="ql", password=pw, role="manager", unit=center),
    }


@pytest.fixture
def version(world, lead):
    """An approved article version (a new tariff)."""
    from cskh.knowledge import services as kb
    from cskh.org.services import create_user

    writer = create_user(username="bientap", password="Matkhau!2026", role="shift_lead")
    v = kb.create_article(
        title="Biểu giá điện sinh hoạt mới",
        body="Từ 1/1 giá bậc 1 là 1.984 đồng/kWh.",
        topic="tariff",
        author=writer,
    )
    return kb.approve_version(version=v, approver=lead)


@pytest.fixture
def path(teams):
    from cskh.training.services import QuestionSpec, StepSpec, create_path

    return create_path(
        title="Hội nhập",
        pass_mark=80,
        max_attempts=2,
        actor=teams["manager"],
        steps=[
            StepSpec(
                "Giao tiếp",
                questions=[
                    QuestionSpec("Xưng hô?", [("Anh/chị – em", True), ("Mày – tao", False)]),
                    QuestionSpec("Chào?", [("Alo", False), ("Tổng đài xin nghe", True)]),
                ],
            ),
            StepSpec("Đọc quy định"),
        ],
    )
