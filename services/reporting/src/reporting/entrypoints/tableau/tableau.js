// The public dashboard: it reads only the publications the SGPI, the CDC and the DTI cleared (/public/…), as they
// were frozen, and shows the one in force at the chosen date (« Chiffres au … »). Every value is written as text
// (textContent), never as HTML: nothing a publication carries can run in the page.
"use strict";

const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
const entier = new Intl.NumberFormat("fr-FR");
const pourcent = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 1 });
const jour = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Paris" });
const SECRET = "secret statistique";

const montant = (centimes) => (centimes === null || centimes === undefined ? null : euros.format(centimes / 100));
const date = (iso) => jour.format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso));
const taux = (text) => (text === null || text === undefined ? null : pourcent.format(Number(text)));

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function table(id, columns, rows) {
  const target = document.getElementById(id);
  target.replaceChildren();
  const head = element("thead");
  const line = element("tr");
  for (const [label, , numeric] of columns) line.append(element("th", label, numeric ? "nombre" : ""));
  head.append(line);
  const body = element("tbody");
  for (const row of rows) {
    const tr = element("tr");
    for (const [, value, numeric] of columns) {
      const shown = value(row);
      const cell = element("td", shown === null ? (row.secret ? SECRET : "—") : shown, numeric ? "nombre" : "");
      if (shown === null && row.secret) cell.classList.add("secret");
      tr.append(cell);
    }
    body.append(tr);
  }
  if (!rows.length) {
    const tr = element("tr");
    const td = element("td", "Aucune donnée publiée à cette date.");
    td.colSpan = columns.length;
    tr.append(td);
    body.append(tr);
  }
  target.append(head, body);
}

function cartes(national) {
  const items = [
    ["Candidatures déposées", entier.format(national.nb_candidatures)],
    ["Territoires lauréats", entier.format(national.nb_laureats)],
    ["Enveloppes attribuées", montant(national.enveloppes_attribuees_centimes)],
    ["Aides accordées", montant(national.montant_aides_centimes)],
    ["Taux de consommation", taux(national.taux_consommation)],
    ["Industriels rencontrés", entier.format(national.nb_entreprises_rencontrees)],
    ["Projets recensés", entier.format(national.nb_projets_recenses)],
    ["Projets aidés", entier.format(national.nb_projets_aides)],
    ["Missions lancées", entier.format(national.nb_missions_lancees)],
    ["Missions restituées", entier.format(national.nb_missions_restituees)],
  ];
  const target = document.getElementById("cartes");
  target.replaceChildren();
  for (const [libelle, valeur] of items) {
    const carte = element("div", null, "carte");
    const absente = national.secret ? SECRET : "—";  // suppressed (fewer than 3 companies), or nothing to measure
    carte.append(element("span", valeur === null ? absente : valeur, "valeur"), element("span", libelle, "libelle"));
    target.append(carte);
  }
}

function graphique(territoires) {
  const target = document.getElementById("graphique");
  target.replaceChildren();
  if (!territoires.length) {
    target.append(element("p", "Aucun territoire lauréat publié à cette date."));
    return;
  }
  const NS = "http://www.w3.org/2000/svg";
  const ligne = 34, gauche = 300, largeur = 520, droite = 190;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${gauche + largeur + droite} ${territoires.length * ligne + 10}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Consommation des enveloppes par territoire");
  territoires.forEach((t, i) => {
    const y = i * ligne + 6;
    const nom = document.createElementNS(NS, "text");
    nom.setAttribute("x", 0);
    nom.setAttribute("y", y + 19);
    nom.textContent = t.nom;
    const fond = document.createElementNS(NS, "rect");
    Object.entries({ x: gauche, y, width: largeur, height: 24, class: "fond" }).forEach(([k, v]) => fond.setAttribute(k, v));
    const part = t.taux_consommation === null || t.taux_consommation === undefined ? null : Number(t.taux_consommation);
    const barre = document.createElementNS(NS, "rect");
    const longueur = part === null ? 0 : Math.max(0, Math.min(1, part)) * largeur;
    Object.entries({ x: gauche, y, width: longueur, height: 24, class: "barre" }).forEach(([k, v]) => barre.setAttribute(k, v));
    barre.setAttribute("data-territoire", t.territoire_id);
    const valeur = document.createElementNS(NS, "text");
    valeur.setAttribute("x", gauche + largeur + 8);
    valeur.setAttribute("y", y + 19);
    if (t.secret) valeur.textContent = `${SECRET} · ${montant(t.enveloppe_centimes)}`;
    else if (part === null) valeur.textContent = "pas encore d'enveloppe";
    else valeur.textContent = `${pourcent.format(part)} de ${montant(t.enveloppe_centimes)}`;
    svg.append(nom, fond, barre, valeur);
  });
  target.append(svg);
}

const MISSIONS = {
  OUVERTE: "Ouverte",
  CONVENTION_EN_RETARD: "Convention en retard",
  CONVENTION_SIGNEE: "Convention signée",
  LANCEE: "Ingénierie lancée",
  RESTITUEE: "Restituée",
  CLOTUREE: "Clôturée",
};

function mission(etat) {
  if (!etat) return "—";
  return MISSIONS[etat] || etat;
}

function telechargements(publication) {
  const target = document.getElementById("telechargements");
  target.replaceChildren();
  const id = encodeURIComponent(publication.publication_id);
  const liens = [];
  for (const [nom, libelle] of [["national", "Chiffres nationaux"], ["regions", "Régions"],
    ["territoires", "Territoires"], ["aides", "Aides de 500 000 € et plus"]]) {
    liens.push([`${libelle} (CSV)`, `/public/donnees/${nom}.csv?publication_id=${id}`]);
    liens.push([`${libelle} (XLSX)`, `/public/donnees/${nom}.xlsx?publication_id=${id}`]);
  }
  liens.push(["Subventions au format SCDL « subventions » 2.1.1 (CSV)", `/public/aides.scdl.csv?publication_id=${id}`]);
  liens.push(["Schéma SCDL « subventions » 2.1.1 (Table Schema)", "/public/aides.scdl.schema.json"]);
  for (const [libelle, href] of liens) {
    const li = element("li");
    const a = element("a", libelle);
    a.href = href;
    li.append(a);
    target.append(li);
  }
}

function afficher(publication) {
  const c = publication.contenu;
  document.getElementById("source").textContent =
    `« ${publication.titre} » : chiffres au ${date(publication.as_of)}, diffusés le ${date(publication.diffusee_le)}.`;
  document.getElementById("empreinte").textContent = publication.digest;
  const champ = document.getElementById("au");
  if (!champ.value) champ.value = publication.as_of;
  cartes(c.national);
  graphique(c.territoires);
  table("vagues", [
    ["Vague", (v) => v.vague, true],
    ["Relève", (v) => (v.releve_le ? date(v.releve_le) : "—")],
    ["Candidatures", (v) => entier.format(v.nb_candidatures_deposees), true],
    ["Recevables", (v) => entier.format(v.nb_recevables), true],
    ["Lauréats", (v) => entier.format(v.nb_laureats), true],
    ["Non retenues", (v) => entier.format(v.nb_non_retenues), true],
  ], (c.vagues || []).filter((v) => v.releve_le || v.nb_candidatures_deposees));
  table("regions", [
    ["Région", (r) => r.nom],
    ["Lauréats", (r) => entier.format(r.nb_laureats), true],
    ["Enveloppes", (r) => montant(r.enveloppes_attribuees_centimes), true],
    ["Projets aidés", (r) => entier.format(r.nb_projets_aides), true],
    ["Aides accordées", (r) => montant(r.montant_aides_centimes), true],
  ], c.regions.filter((r) => r.nb_laureats > 0));
  table("territoires", [
    ["Territoire", (t) => t.nom],
    ["Région", (t) => t.region || "—"],
    ["Enveloppe", (t) => montant(t.enveloppe_centimes), true],
    ["Projets recensés", (t) => entier.format(t.nb_projets_recenses), true],
    ["Projets qualifiés", (t) => entier.format(t.nb_projets_qualifies), true],
    ["Aides accordées", (t) => montant(t.montant_aides_centimes), true],
    ["Mission", (t) => mission(t.mission)],
  ], c.territoires);
  table("aides", [
    ["Décision", (a) => date(a.date_decision)],
    ["Bénéficiaire", (a) => a.beneficiaire],
    ["SIRET", (a) => a.siret],
    ["Forme", (a) => (a.forme === "SUBVENTION" ? "Subvention" : "Avance remboursable")],
    ["Montant", (a) => montant(a.montant_accorde_centimes - a.rendu_centimes), true],
  ], c.aides_publiees || []);
  telechargements(publication);
}

function enVigueur(publications, au) {
  const candidates = publications.filter((p) => !au || p.as_of <= au);
  candidates.sort((a, b) => (a.as_of === b.as_of ? a.diffusee_le.localeCompare(b.diffusee_le) : a.as_of.localeCompare(b.as_of)));
  return candidates.at(-1);
}

async function charger(au) {
  const message = document.getElementById("message");
  const sections = document.querySelectorAll("main section");
  const liste = await fetch("/public/publications").then((r) => r.json());
  const choisie = enVigueur(liste.publications, au);
  if (!choisie) {
    message.textContent = au
      ? `Aucun chiffre n'a encore été publié au ${date(au)}.`
      : "Aucun chiffre n'a encore été publié.";
    message.hidden = false;
    sections.forEach((s) => (s.hidden = true));
    document.getElementById("source").textContent = "Les chiffres paraissent ici une fois validés et diffusés.";
    return;
  }
  const publication = await fetch(`/public/publications/${encodeURIComponent(choisie.publication_id)}`).then((r) => r.json());
  message.hidden = true;
  sections.forEach((s) => (s.hidden = false));
  afficher(publication);
  document.body.dataset.publication = publication.publication_id;
}

document.addEventListener("DOMContentLoaded", () => {
  const champ = document.getElementById("au");
  const au = new URLSearchParams(location.search).get("au");
  if (au && /^\d{4}-\d{2}-\d{2}$/.test(au)) champ.value = au;
  document.getElementById("choix").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(location.href);
    if (champ.value) url.searchParams.set("au", champ.value); else url.searchParams.delete("au");
    history.replaceState(null, "", url);
    document.body.dataset.pret = "0";
    charger(champ.value || null).finally(() => (document.body.dataset.pret = "1"));
  });
  charger(champ.value || null).finally(() => (document.body.dataset.pret = "1"));
});
