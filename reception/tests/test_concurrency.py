"""Two desks (windows) calling at once: every ticket is called exactly once, and ticket numbers stay
unique under concurrent issuing — on SQLite (WAL file) and PostgreSQL alike."""

import threading

import pytest

from core.errors import Conflict, DomainError
from reception.tests.conftest import in_thread, run_threads

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def test_concurrent_issuing_gives_unique_consecutive_numbers(cast, live_setup, threads_db):
    desk_id, officer_id = live_setup.desk.pk, cast.officer.pk
    codes: list[str] = []
    lock = threading.Lock()

    def issue(index: int) -> None:
        from accounts.models import User
        from reception.models import Desk
        from reception.services import issue_ticket

        desk, officer = Desk.objects.select_related("center__unit").get(pk=desk_id), User.objects.get(pk=officer_id)
        for _ in range(5):
            ticket = issue_ticket(desk, actor=officer)
            with lock:
                codes.append(ticket.code)

    assert run_threads(issue, THREADS) == []
    assert sorted(codes) == [f"A{n:03d}" for n in range(1, THREADS * 5 + 1)]
    from reception.models import Ticket

    assert in_thread(lambda: Ticket.objects.count()) == THREADS * 5


def test_concurrent_call_next_calls_each_ticket_once(cast, live_setup, threads_db):
    from reception.services import issue_ticket

    tickets = in_thread(lambda: [issue_ticket(live_setup.desk, actor=cast.officer) for _ in range(6)])
    desk_id, officer_id = live_setup.desk.pk, cast.officer.pk
    called: list[int] = []
    empty: list[int] = []
    lock = threading.Lock()

    def call(index: int) -> None:
        from accounts.models import User
        from reception.models import Desk
        from reception.services import call_next

        desk, officer = Desk.objects.select_related("center__unit").get(pk=desk_id), User.objects.get(pk=officer_id)
        for _ in range(3):  # 4 threads × 3 calls = 12 attempts for 6 tickets
            try:
                ticket = call_next(desk, actor=officer, window=index % 2 + 1)
            except DomainError as exc:
                assert exc.code == "queue_empty"
                with lock:
                    empty.append(index)
            else:
                with lock:
                    called.append(ticket.pk)

    assert run_threads(call, THREADS) == []
    assert sorted(called) == sorted(t.pk for t in tickets)  # all six, none twice
    assert len(empty) == THREADS * 3 - 6
    from reception.models import Ticket

    assert in_thread(lambda: sorted(Ticket.objects.values_list("status", flat=True))) == ["called"] * 6


def test_two_desks_calling_the_same_ticket_one_wins(cast, live_setup, threads_db):
    from reception.services import issue_ticket

    ticket = in_thread(lambda: issue_ticket(live_setup.desk, actor=cast.officer))
    ticket_id, officer_id = ticket.pk, cast.officer.pk
    won: list[int] = []
    lock = threading.Lock()

    def call(index: int) -> None:
        from accounts.models import User
        from reception.models import Ticket
        from reception.services import call_ticket

        t = Ticket.objects.select_related("desk__center__unit").get(pk=ticket_id)
        try:
            call_ticket(t, actor=User.objects.get(pk=officer_id), window=index % 2 + 1)
        except Conflict as exc:
            assert "不能重复叫号" in exc.message
        else:
            with lock:
                won.append(index)

    assert run_threads(call, THREADS) == []
    assert len(won) == 1
    from reception.models import Ticket

    assert in_thread(lambda: Ticket.objects.get(pk=ticket_id).status) == "called"
