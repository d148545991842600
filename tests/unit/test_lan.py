"""lan: the LAN address, and the limit on requests for tokens that do not exist."""

from __future__ import annotations

import socket

import pytest

from viewra_desktop.core import lan
from viewra_desktop.core.lan import FailureLimiter, LanError, lan_address


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_is_refused_after_too_many_bad_tokens_and_forgiven_later():
    clock = Clock()
    limiter = FailureLimiter(limit=3, period=60.0, clock=clock)
    for _ in range(2):
        limiter.failed("10.0.0.5")
    assert not limiter.blocked("10.0.0.5")
    limiter.failed("10.0.0.5")
    assert limiter.blocked("10.0.0.5")
    assert not limiter.blocked("10.0.0.6")  # per client
    clock.now += 61
    assert not limiter.blocked("10.0.0.5")


def test_the_limiter_remembers_a_bounded_number_of_clients(monkeypatch):
    monkeypatch.setattr(lan, "MAX_CLIENTS", 10)
    limiter = FailureLimiter(limit=1, clock=Clock())
    for number in range(20):
        limiter.failed(f"10.0.0.{number}")
    assert len(limiter._failures) == 10
    assert limiter.blocked("10.0.0.19") and not limiter.blocked("10.0.0.0")


def test_an_address_given_is_checked():
    assert lan_address("127.0.0.2") == "127.0.0.2"
    with pytest.raises(LanError, match="not an IP address"):
        lan_address("my-laptop")


def test_no_network_is_one_sentence(monkeypatch):
    class NoRoute(socket.socket):
        def connect(self, address):
            raise OSError("Network is unreachable")

    monkeypatch.setattr(lan.socket, "socket", NoRoute)
    with pytest.raises(LanError, match="on no network"):
        lan_address()
