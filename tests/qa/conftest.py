import pytest
from django.utils import timezone


@pytest.fixture
def scorecard(db):
    from cskh.qa.services import publish_scorecard

    return publish_scorecard(
        name="Cuộc gọi",
        criteria=[
            ("Chào hỏi đúng mẫu", 10, False),
            ("Xác minh danh tính", 0, True),
            ("Thông tin chính xác", 30, False),
            ("Thấu cảm", 20, False),
            ("Kết thúc cuộc gọi", 10, False),
            ("Không hứa ngoài chính sách", 0, True),
        ],
    )


@pytest.fixture
def case(world):
    from cskh.cases import services
    from cskh.catalog.services import get_case_type

    return services.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Tiền điện tháng này tăng gấp đôi",
        actor=world["agent"],
        assign_to_actor=True,
    )


@pytest.fixture
def review(world, case, scorecard):
    from cskh.qa.services import sample_week

    made = sample_week(week=timezone.localdate(case.created_at), seed=1)
    assert len(made) == 1
    return made[0]
