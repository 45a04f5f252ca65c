"""The rows and figures behind the pages: the dashboard, the reports, the review, the province's
table, a loan's page, a donation's money trail; and the figures kept between writes (figure_cache)."""
