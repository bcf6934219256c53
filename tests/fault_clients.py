"""Kiosks and counter keypads in their own processes, for the fault tests.

Each keeps going until its deadline whatever happens to the server, and returns only what
the server acknowledged (a 201 or 200 with its body); a request cut off by a dying worker or
database is counted as unacknowledged.
"""

import random
import time

import requests

SERVICES = ("GPLX", "PTIEN", "VTAI")


def kiosk(url: str, key: str, seed: int, until: float) -> dict:
    chooser = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    acknowledged, statuses, cut_off = [], {}, 0
    while time.time() < until:
        started = time.time()
        try:
            response = session.post(
                f"{url}/api/v1/tickets", json={"service": chooser.choice(SERVICES)}, timeout=10
            )
        except requests.RequestException:
            cut_off += 1
            session = renewed(session)
            continue
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 201:
            acknowledged.append({**response.json(), "started": started, "ended": time.time()})
        else:
            acknowledged.append(
                {"status": response.status_code, "started": started, "body": response.text[:300]}
            )
    return {"tickets": acknowledged, "statuses": statuses, "cut_off": cut_off}


def counter(url: str, key: str, number: int, until: float) -> dict:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    called, statuses, cut_off = [], {}, 0
    while time.time() < until:
        try:
            # The citizen called last has arrived (also one whose call's answer was lost to a
            # killed worker): start serving, so that "next" may finish it. Nobody there: 409.
            session.post(f"{url}/api/v1/counters/{number}/start", timeout=10)
            response = session.post(f"{url}/api/v1/counters/{number}/next", timeout=10)
        except requests.RequestException:
            cut_off += 1
            session = renewed(session)
            continue
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 200:
            called.append(response.json()["number"])
        elif response.status_code == 204:
            time.sleep(0.05)  # nobody waiting: the clerk presses again a moment later (pacing)
    return {"called": called, "statuses": statuses, "cut_off": cut_off}


def renewed(session: requests.Session) -> requests.Session:
    fresh = requests.Session()
    fresh.headers.update(session.headers)
    session.close()
    return fresh
