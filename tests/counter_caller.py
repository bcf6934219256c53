"""A counter keypad in its own process: presses "next" (then "start" as the citizen
arrives) until nobody is waiting."""

import time

import requests


def press_next_until_empty(base_url: str, key: str, counter: int, ready, limit: int):
    """Returns (counter, numbers received in order, first and last request times).

    `ready` is a barrier the keypads share: each starts once all are running."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    ready.wait(timeout=60)
    numbers, started = [], time.time()
    for _ in range(limit):
        response = session.post(f"{base_url}/api/v1/counters/{counter}/next", timeout=60)
        if response.status_code == 204:
            break
        response.raise_for_status()
        numbers.append(response.json()["number"])
        # The citizen arrives: service starts, so the next press may finish it.
        session.post(f"{base_url}/api/v1/counters/{counter}/start", timeout=60).raise_for_status()
    return counter, numbers, started, time.time()
