"""Who a name in Git is: commit authors, approvers in trailers and notes, and forge
usernames, matched to the people keys of organization.yml."""

from __future__ import annotations

from .model import Organization

FORGES = ("github", "gitlab")


class People:
    """Finds the person a name, e-mail address or forge username belongs to."""

    def __init__(self, organization: Organization) -> None:
        self.people = organization.people
        self._by: dict[str, str] = {}
        for key, person in self.people.items():
            for value in (person.name, person.email):
                if value:
                    self._by.setdefault(value.casefold(), key)
        for key in self.people:
            self._by.setdefault(key.casefold(), key)
        self._usernames = {
            forge: {
                getattr(p, forge).casefold(): key
                for key, p in self.people.items()
                if getattr(p, forge)
            }
            for forge in FORGES
        }

    def key(self, name: str = "", email: str = "") -> str | None:
        """The person with this e-mail address, else this name (or key); None if nobody."""
        for value in (email, name):
            if value and value.casefold() in self._by:
                return self._by[value.casefold()]
        return None

    def by_username(self, forge: str, username: str) -> str | None:
        return self._usernames.get(forge, {}).get(username.lstrip("@").casefold())

    def name(self, key: str | None) -> str:
        person = self.people.get(key or "")
        return person.name if person else (key or "")
