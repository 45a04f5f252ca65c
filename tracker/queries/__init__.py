"""The rows and figures behind the pages that sum a fund or a province: the dashboard, the reports,
the review, the province's table, their charts and exports, and the figures kept between writes."""
