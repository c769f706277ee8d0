"""The announcement of 28/08/2023 as the demo plays it: once the Prime Minister's decision on the third wave is
recorded, the SGPI asks for the publication of the figures and names as of that day, with an embargo to 14:00; the
SGPI, the CDC and the DTI each clear it; the public side shows nothing of it until the embargo has passed, then the
19 laureates in 9 regions, as the announcement said [001]. What the public saw at each step is kept, for the run's
summary and the e2e test."""

from __future__ import annotations

from typing import Any

from rebond_local.demo_base import CDC, DTI, SGPI, Client, check, until

ANNONCE = "annonce-2023-08-28"
ANNONCE_LE = "2023-08-28"
EMBARGO = "2023-08-28T14:00:00+02:00"
TITRE = "Rebond industriel : 12 nouveaux territoires lauréats, 19 au total dans 9 régions"


class Annonce:
    def __init__(self, demo: Client) -> None:
        self.demo = demo
        self.vu_du_public: dict[str, Any] = {}

    async def _public(self) -> dict[str, Any]:
        """What anyone sees, without a token: the list, and the announcement itself if it is public."""
        listed = await check(await self.demo.client.get(f"{self.demo.rep}/public/publications"))
        one = await self.demo.client.get(f"{self.demo.rep}/public/publications/{ANNONCE}")
        return {"liste": listed["publications"], "annonce": one.status_code}

    async def demander_et_valider(self) -> None:
        """The day of the decision: the request (once reporting knows the 19 laureates), then the three clearances."""
        rep, client = self.demo.rep, self.demo.client

        async def known() -> bool:
            answer = await client.get(f"{rep}/figures/national", params={"as_of": ANNONCE_LE}, headers=SGPI)
            return answer.status_code == 200 and answer.json()["nb_laureats"] == 19

        await until(known, "reporting to know the third wave's laureates", timeout=120)
        self.vu_du_public["avant_la_demande"] = await self._public()
        body = {"publication_id": ANNONCE, "titre": TITRE, "as_of": ANNONCE_LE, "embargo_jusqu_au": EMBARGO}
        demande = await self.demo.post(f"{rep}/publications", SGPI, body)
        self.vu_du_public["demandee"] = await self._public()
        for who in (SGPI, CDC, DTI):
            await self.demo.post(f"{rep}/publications/{ANNONCE}/validation", who, {"digest": demande["digest"]})
        self.vu_du_public["validee_sous_embargo"] = await self._public()

    async def constater_diffusion(self) -> None:
        """The next day (the embargo passed): the diffusion watcher released it."""

        async def public() -> bool:
            answer = await self.demo.client.get(f"{self.demo.rep}/public/publications/{ANNONCE}")
            return answer.status_code == 200

        await until(public, "the announcement to be public after its embargo", timeout=60)
        self.vu_du_public["apres_embargo"] = await self._public()
        self.vu_du_public["publication"] = await check(
            await self.demo.client.get(f"{self.demo.rep}/public/publications/{ANNONCE}")
        )
        self.vu_du_public["verification"] = await check(
            await self.demo.client.get(f"{self.demo.rep}/publications/{ANNONCE}/verification", headers=SGPI)
        )
