"""20 users mixing logins, list pages, searches, visits and repayments (run by bench/load.sh).

Users log in as the demo logins (password hongson-demo); treasurers record small repayments on
the demo's active loans, members log visits for their people, everyone reads lists and searches.
"""

import datetime as dt
import random
import re

from locust import HttpUser, between, task

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
LOAN = re.compile(r'href="/loans/(\d+)"')
PERSON = re.compile(r'href="/people/(\d+)"')
SEARCHES = ["van", "dung", "thon dong", "09", "thi", "luc"]


class FundUser(HttpUser):
    wait_time = between(0.5, 2)
    username = "viewer"

    def on_start(self):
        page = self.client.get("/login", name="/login").text
        token = TOKEN.search(page).group(1)
        self.client.post(
            "/login",
            {"username": self.username, "password": "hongson-demo", "csrf_token": token},
            name="/login [POST]",
        )
        self.token = TOKEN.search(self.client.get("/", name="/").text).group(1)

    @task(3)
    def dashboard(self):
        self.client.get("/", name="/")

    @task(3)
    def people(self):
        self.client.get("/people", name="/people")

    @task(3)
    def search(self):
        self.client.get(
            f"/people?q={random.choice(SEARCHES)}",
            headers={"HX-Request": "true", "HX-Target": "people-results"},
            name="/people?q= [htmx]",
        )

    @task(2)
    def loans(self):
        self.client.get("/loans", name="/loans")


class Chair(FundUser):
    weight = 4
    username = "chair"

    @task(1)
    def outstanding(self):
        self.client.get("/reports/outstanding", name="/reports/outstanding")

    @task(1)
    def visits(self):
        self.client.get("/visits", name="/visits")


class Treasurer(FundUser):
    weight = 6
    username = "treasurer"

    @task(2)
    def repay(self):
        page = self.client.get("/loans?status=active", name="/loans?status=active").text
        loans = LOAN.findall(page)
        if not loans:
            return
        loan = random.choice(loans)
        # 1.000 ₫ at a time, so the demo loans last the whole run; a 422 when one is paid off is fine
        with self.client.post(
            f"/loans/{loan}/repayments",
            {
                "amount": "1.000",
                "paid_on": dt.date.today().isoformat(),
                "method": "cash",
                "csrf_token": self.token,
            },
            name="/loans/<id>/repayments [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (303, 422):
                response.success()

    @task(1)
    def cashbook(self):
        self.client.get("/reports/cashbook", name="/reports/cashbook")


class Member(FundUser):
    weight = 6
    username = "member"

    @task(3)
    def queue(self):
        self.client.get("/visits", name="/visits")

    @task(2)
    def visit(self):
        page = self.client.get("/people", name="/people").text
        people = PERSON.findall(page)
        if not people:
            return
        person = random.choice(people)
        self.client.get(f"/people/{person}", name="/people/<id>")
        with self.client.post(
            "/visits",
            {
                "person_id": person,
                "visited_on": dt.date.today().isoformat(),
                "kind": "phone",
                "summary": "Gọi điện hỏi thăm",
                "csrf_token": self.token,
            },
            name="/visits [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (303, 422):  # 422: a closed case cannot get visits
                response.success()


class Viewer(FundUser):
    weight = 4
    username = "viewer"
