"""Demo history for training (called by ``cskh demo`` after the QA history): knowledge changes
agents had to read over the year (the recent ones not yet confirmed by everyone), three
learning paths with quizzes taken by the agents, and coaching sessions on their weakest QA
reviews (acknowledged, followed up, some follow-ups due now). Idempotent: nothing when a
learning path exists."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from cskh.knowledge import services as kb_services
from cskh.knowledge.models import Article, ArticleVersion, Topic
from cskh.org.models import User
from cskh.qa.models import Review
from cskh.training.models import (
    CoachingSession,
    Enrollment,
    LearningPath,
    QuizAttempt,
    ReadConfirmation,
    ReadRequirement,
)
from cskh.training.services import QuestionSpec, StepSpec, certificate_number, create_path

__all__ = ["install_demo", "PATHS"]

Q = QuestionSpec

# (title, description, pass mark, max attempts, [(step title, article topic or None, questions)])
PATHS: list[tuple[str, str, int, int, list[tuple[str, str | None, list[QuestionSpec]]]]] = [
    (
        "Hội nhập tư vấn viên mới",
        "Bốn bài đầu tiên cho tư vấn viên mới: giao tiếp, ghi nhận yêu cầu, thủ tục và giá.",
        80,
        3,
        [
            (
                "Chuẩn mực giao tiếp với khách hàng",
                None,
                [
                    Q(
                        "Câu chào đầu cuộc gọi đúng mẫu là gì?",
                        [
                            ("Alo, ai đấy?", False),
                            (
                                "Tổng đài chăm sóc khách hàng xin nghe, em là Lan, em có thể giúp gì cho anh/chị ạ?",
                                True,
                            ),
                            ("Có chuyện gì không?", False),
                        ],
                    ),
                    Q(
                        "Khi chưa biết tuổi khách hàng, tư vấn viên xưng hô thế nào?",
                        [
                            ("Anh/chị – em, hoặc quý khách", True),
                            ("Bạn – mình", False),
                            ("Ông/bà – tôi", False),
                        ],
                    ),
                    Q(
                        "Khách hàng đang bức xúc, việc đầu tiên nên làm là gì?",
                        [
                            ("Giải thích ngay là lỗi không phải của công ty", False),
                            ("Lắng nghe hết, ghi nhận và xin lỗi về sự bất tiện", True),
                            ("Chuyển máy cho trưởng ca", False),
                        ],
                    ),
                ],
            ),
            (
                "Tiếp nhận và ghi nhận yêu cầu",
                None,
                [
                    Q(
                        "Trước khi cung cấp thông tin tài khoản, tư vấn viên phải làm gì?",
                        [
                            ("Xác minh danh tính khách hàng", True),
                            ("Hỏi số CMND đầy đủ qua mạng xã hội", False),
                            ("Không cần làm gì", False),
                        ],
                    ),
                    Q(
                        "Kết thúc cuộc gọi, tư vấn viên cần báo cho khách hàng điều gì?",
                        [
                            ("Số yêu cầu và thời hạn xử lý dự kiến", True),
                            ("Số điện thoại cá nhân của mình", False),
                            ("Không cần báo gì", False),
                        ],
                    ),
                ],
            ),
            (
                "Thủ tục thường gặp",
                Topic.PROCEDURE,
                [
                    Q(
                        "Khi quy trình thay đổi, tư vấn viên lấy thông tin ở đâu?",
                        [
                            ("Bài viết tri thức đã duyệt, đang có hiệu lực", True),
                            ("Nhóm chat của đồng nghiệp", False),
                            ("Nhớ theo kinh nghiệm", False),
                        ],
                    ),
                    Q(
                        "Khách hỏi một thủ tục tư vấn viên chưa chắc chắn, nên làm gì?",
                        [
                            ("Trả lời đại khái", False),
                            ("Tra cứu bài viết, nếu cần thì hẹn gọi lại đúng hạn", True),
                            ("Bảo khách tự ra quầy hỏi", False),
                        ],
                    ),
                ],
            ),
            (
                "Giá và cước",
                Topic.TARIFF,
                [
                    Q(
                        "Khi giá thay đổi, thông tin áp dụng từ khi nào?",
                        [
                            ("Từ ngày hiệu lực ghi trong bài viết", True),
                            ("Từ ngày tư vấn viên đọc bài", False),
                            ("Từ đầu năm sau", False),
                        ],
                    ),
                    Q(
                        "Khách hàng thắc mắc hóa đơn tăng cao, tư vấn viên nên?",
                        [
                            (
                                "Đối chiếu chỉ số, kỳ hóa đơn và giá đang áp dụng rồi giải thích",
                                True,
                            ),
                            ("Khẳng định hóa đơn đúng", False),
                            ("Hứa giảm tiền cho khách", False),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Xử lý khiếu nại và khách hàng bức xúc",
        "Khiếu nại: ghi nhận, không hứa ngoài chính sách, chuyển đúng bộ phận, theo dõi đến khi đóng.",
        80,
        2,
        [
            (
                "Ghi nhận khiếu nại",
                None,
                [
                    Q(
                        "Điều nào là hứa ngoài chính sách?",
                        [
                            ("Em sẽ miễn toàn bộ tiền tháng này cho anh", True),
                            ("Em đã ghi nhận và chuyển bộ phận xử lý trong thời hạn", False),
                            ("Em sẽ gọi lại cho chị trước 17 giờ", False),
                        ],
                    ),
                    Q(
                        "Câu nào tránh dùng với khách hàng?",
                        [
                            ("Em xin lỗi vì sự bất tiện", False),
                            ("Cái đó em không biết, anh tự hỏi đi", True),
                            ("Em kiểm tra ngay cho anh ạ", False),
                        ],
                    ),
                ],
            ),
            (
                "Theo dõi và phản hồi",
                Topic.TIME_LIMIT,
                [
                    Q(
                        "Yêu cầu sắp quá hạn xử lý, tư vấn viên cần?",
                        [
                            ("Báo trưởng ca và cập nhật cho khách hàng", True),
                            ("Đóng yêu cầu cho kịp hạn", False),
                            ("Không làm gì", False),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Sự cố diện rộng và thông báo khách hàng",
        "Nhận biết sự cố diện rộng, thông tin khách hàng theo thông báo chính thức.",
        70,
        0,
        [
            (
                "Sự cố và lịch tạm ngừng",
                Topic.SAFETY,
                [
                    Q(
                        "Nhiều khách cùng khu vực báo mất dịch vụ, tư vấn viên nên?",
                        [
                            (
                                "Kiểm tra banner sự cố trên bàn làm việc và thông tin theo sự cố",
                                True,
                            ),
                            ("Mở từng yêu cầu riêng và hẹn sửa ngay", False),
                        ],
                    ),
                    Q(
                        "Thời gian khôi phục dự kiến lấy ở đâu?",
                        [
                            ("Thông tin sự cố do trưởng ca/đơn vị cập nhật", True),
                            ("Tự ước lượng", False),
                            ("Hỏi khách hàng", False),
                        ],
                    ),
                ],
            ),
        ],
    ),
]

SUMMARIES: dict[str, str] = {
    Topic.TARIFF: "Giá áp dụng mới từ kỳ hóa đơn tới",
    Topic.PROCEDURE: "Quy trình mới: giấy tờ và bước tiếp nhận thay đổi",
    Topic.DOCUMENTS: "Hồ sơ cần có được cập nhật",
    Topic.TIME_LIMIT: "Thời hạn xử lý thay đổi",
    Topic.SAFETY: "Quy định mới về thông báo sự cố, an toàn",
    Topic.GENERAL: "Thông tin chung được cập nhật",
}


def _lead_and_manager() -> tuple[User | None, User | None]:
    lead = User.objects.filter(role=User.Role.SHIFT_LEAD, is_active=True).order_by("pk").first()
    manager = User.objects.filter(role=User.Role.MANAGER, is_active=True).order_by("pk").first()
    return lead, manager or lead


def _article_for(topic: str | None, used: set[int]) -> Article | None:
    if topic is None:
        return None
    qs = Article.objects.filter(is_active=True, topic=topic).exclude(pk__in=used).order_by("pk")
    article = qs.first() or Article.objects.filter(is_active=True, topic=topic).first()
    if article:
        used.add(article.pk)
    return article


@transaction.atomic
def install_demo(*, now: datetime, seed: int = 18) -> dict[str, int]:
    if LearningPath.objects.exists():
        return {}
    rng = random.Random(seed)
    lead, manager = _lead_and_manager()
    agents = list(User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("pk"))
    if lead is None or manager is None or not agents:
        return {}
    counts = {"read_requirements": 0, "read_confirmations": 0, "attempts": 0, "coaching": 0}
    _mandatory(rng, now, lead, manager, agents, counts)
    _paths(rng, now, manager, agents, counts)
    _coaching(rng, now, lead, agents, counts)
    return counts


def _mandatory(rng, now, lead, manager, agents, counts) -> None:
    """Older changes (v1 of procedure/tariff articles) confirmed by nearly everyone; two
    changes of last week (new versions written by the lead, approved by the manager) that a
    third of the agents have not confirmed yet."""
    versions = list(
        ArticleVersion.objects.filter(
            status=ArticleVersion.Status.APPROVED, article__is_active=True
        )
        .select_related("article")
        .order_by("article_id", "number")
    )
    by_topic = [
        v
        for v in versions
        if v.article.topic in (Topic.PROCEDURE, Topic.TIME_LIMIT, Topic.DOCUMENTS, Topic.SAFETY)
    ]
    tariffs = [v for v in versions if v.article.topic == Topic.TARIFF]
    old = by_topic[:6]
    reqs: list[tuple[ReadRequirement, float]] = []
    for i, v in enumerate(old):
        created = now - timedelta(days=330 - i * 50, hours=rng.randint(0, 8))
        req = ReadRequirement.objects.create(
            article=v.article,
            version=v,
            summary=SUMMARIES[v.article.topic],
            due_on=(created + timedelta(days=3)).date(),
            created_by=lead,
            created_at=created,
            reminders=rng.randint(0, 1),
        )
        reqs.append((req, 0.97))
    for v in tariffs[:1] + by_topic[6:7]:
        new = kb_services.add_version(
            article=v.article,
            title=v.title,
            body=v.body + "\n\nCập nhật: áp dụng từ kỳ tới theo văn bản mới; tư vấn viên giải "
            "thích cho khách hàng theo nội dung trên.",
            effective_from=now.date(),
            author=lead,
        )
        new = kb_services.approve_version(version=new, approver=manager)
        created = now - timedelta(days=rng.randint(2, 6))
        ReadRequirement.objects.filter(article=v.article, superseded=False).update(superseded=True)
        req = ReadRequirement.objects.create(
            article=v.article,
            version=new,
            summary=SUMMARIES[v.article.topic],
            due_on=(now + timedelta(days=2)).date(),
            created_by=lead,
            created_at=created,
            reminders=1,
            reminded_at=now - timedelta(days=1),
        )
        reqs.append((req, 0.65))
    rows = []
    for req, rate in reqs:
        for agent in agents:
            if rng.random() < rate:
                at = req.created_at + timedelta(minutes=rng.randint(20, 3 * 24 * 60))
                rows.append(
                    ReadConfirmation(requirement=req, user=agent, confirmed_at=min(at, now))
                )
    ReadConfirmation.objects.bulk_create(rows)
    counts["read_requirements"] = len(reqs)
    counts["read_confirmations"] = len(rows)


def _paths(rng, now, manager, agents, counts) -> None:
    used: set[int] = set()
    paths = []
    for title, desc, mark, max_tries, step_defs in PATHS:
        specs = []
        for step_title, topic, questions in step_defs:
            article = _article_for(topic, used)
            specs.append(StepSpec(step_title, article.pk if article else None, questions))
        paths.append(
            create_path(
                title=title,
                description=desc,
                pass_mark=mark,
                max_attempts=max_tries,
                steps=specs,
                actor=manager,
                now=now - timedelta(days=380),
            )
        )
    for p_i, path in enumerate(paths):
        steps = list(path.steps.prefetch_related("questions__choices"))
        takers = agents if p_i == 0 else [a for a in agents if rng.random() < 0.6]
        for idx, agent in enumerate(takers):
            # every fourth learner is still on the way (started recently, one step done)
            learning = idx % 4 == 3
            started = now - timedelta(days=rng.randint(3, 360), hours=rng.randint(0, 10))
            e = Enrollment.objects.create(
                path=path, user=agent, assigned_by=manager, started_at=started
            )
            t = started
            attempts = []
            finished = True
            for k, step in enumerate(steps):
                if learning and k >= 1:
                    finished = False
                    break
                passed = False
                n = 0
                while not passed and (not path.max_attempts or n < path.max_attempts) and n < 4:
                    n += 1
                    t += timedelta(hours=rng.randint(2, 72))
                    if t >= now:
                        break
                    quiz = list(step.questions.all())
                    answers = {}
                    right = 0
                    for q in quiz:
                        choices = list(q.choices.all())
                        good = next(c for c in choices if c.correct)
                        pick = good if rng.random() < 0.82 else rng.choice(choices)
                        answers[str(q.pk)] = pick.pk
                        right += pick.pk == good.pk
                    score = round(100 * right / len(quiz)) if quiz else 100
                    passed = score >= path.pass_mark
                    attempts.append(
                        QuizAttempt(
                            enrollment=e,
                            step=step,
                            number=n,
                            score=score,
                            passed=passed,
                            answers=answers,
                            taken_at=t,
                        )
                    )
                if not passed:
                    finished = False
                    break
            QuizAttempt.objects.bulk_create(attempts)
            counts["attempts"] += len(attempts)
            if finished:
                e.completed_at = t
                e.certificate_no = certificate_number(e)
                e.save(update_fields=["completed_at", "certificate_no"])


def _coaching(rng, now, lead, agents, counts) -> None:
    """A session for each agent's weakest reviews of some months, by the shift lead."""
    sessions = 0
    today = now.date()
    weak = (
        Review.objects.filter(agent__in=agents, score__isnull=False, score__lt=75)
        .exclude(sample=Review.Sample.CALIBRATION)
        .order_by("agent_id", "scored_at")
    )
    by_agent: dict[int, list[Any]] = {}
    for r in weak:
        by_agent.setdefault(r.agent_id, []).append(r)
    topics = [
        (
            "Xác minh danh tính trước khi cung cấp thông tin",
            "Luôn hỏi mã khách hàng và địa chỉ trước khi đọc thông tin hóa đơn\n"
            "Nghe lại 3 cuộc gọi mẫu cùng trưởng ca",
        ),
        (
            "Hẹn thời gian phản hồi khi kết thúc cuộc gọi",
            "Đọc số yêu cầu và hạn xử lý cho khách trước khi chào\nDùng câu trả lời mẫu khi đóng cuộc gọi",
        ),
        (
            "Thấu cảm với khách hàng bức xúc",
            "Không ngắt lời khách\nXin lỗi về sự bất tiện trước khi giải thích",
        ),
    ]
    for agent in agents:
        reviews = by_agent.get(agent.pk, [])
        for chunk in (reviews[i : i + 2] for i in range(0, min(len(reviews), 8), 2)):
            last = chunk[-1]
            held = (last.scored_at or now).date() + timedelta(days=rng.randint(1, 4))
            if held > today:
                continue
            follow = held + timedelta(days=14)
            topic, actions = rng.choice(topics)
            done = follow < today - timedelta(days=3) and rng.random() < 0.85
            created = now - timedelta(days=(today - held).days)
            acked = (today - held).days > 2 or rng.random() < 0.3
            s = CoachingSession.objects.create(
                agent=agent,
                coach=lead,
                held_on=held,
                topic=topic,
                actions=actions,
                notes="Trao đổi sau đánh giá chất lượng tuần " + last.week.strftime("%d/%m"),
                follow_up_on=follow,
                created_at=created,
                acknowledged_at=min(now, created + timedelta(days=1)) if acked else None,
                followed_up_at=now - timedelta(days=(today - follow).days) if done else None,
                follow_up_note="Đã nghe lại cuộc gọi, tiến bộ rõ." if done else "",
            )
            s.reviews.set(chunk)
            sessions += 1
    counts["coaching"] = sessions
