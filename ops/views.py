"""`GET /healthz`: 200 while this server can reach its database, 503 otherwise."""

from flask import jsonify

from core.db.faults import database_status

from . import blueprint


@blueprint.get("/healthz")
def healthz():
    """For the load balancer: take this server out of rotation while its database is gone."""
    fault = database_status()
    if fault is None:
        return jsonify(status="ok", database="ok")
    body = {
        "status": "error",
        "database": fault,
        "message": "Không kết nối được cơ sở dữ liệu (the database is unreachable or failing).",
    }
    return jsonify(body), 503, {"Retry-After": "5", "Cache-Control": "no-store"}
