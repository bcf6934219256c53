"""Dashboard pages (thin views over core.dashboard_* modules)."""
