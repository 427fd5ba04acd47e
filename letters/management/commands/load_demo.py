"""
Load the demo: a joint letter from four NGOs to the Prime Minister of Japan
(late 2009) with three officials in cc, fourteen recommendations in four
sections, its press release and a few follow-ups, plus a follow-up letter
still in draft and one demo user per role.

The offices, titles and addresses are real; the organisations are invented
and every sentence is our own. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from letters import drafting, sending, signing, tracking
from letters.models import (
    FollowUp,
    FollowUpKind,
    ImplementationStatus,
    Letter,
    Organization,
    Quote,
    RecipientRole,
    Recommendation,
    ResponseStatus,
    Section,
    Signatory,
    SignatoryRole,
    Theme,
)
from letters.permissions import ADMIN, COORDINATOR, DRAFTER, sync_groups
from recipients.models import (
    Delivery,
    MailingList,
    NameOrder,
    Official,
    Position,
    PositionKind,
    Term,
)

DEMO_USERS = [
    # username, password, role, first name, last name
    ("drafter", "letters-drafter", DRAFTER, "Dana", "Drafter"),
    ("coordinator", "letters-coordinator", COORDINATOR, "Chris", "Coordinator"),
    ("admin", "letters-admin", ADMIN, "Alex", "Admin"),
]

ORGANIZATIONS = [
    # name, short name, address, website, signer, title
    (
        "Asia Rights Monitor",
        "ARM",
        "3-2-1 Kanda-Jimbocho, Chiyoda-ku, Tokyo 101-0051, Japan",
        "https://example.org/asia-rights-monitor",
        "Aiko Morita",
        "Tokyo Director",
    ),
    (
        "Refugee Support Network Japan",
        "RSNJ",
        "2-14-5 Shinjuku, Shinjuku-ku, Tokyo 160-0022, Japan",
        "https://example.org/rsnj",
        "Kenji Ishida",
        "Secretary-General",
    ),
    (
        "Coalition for Food Without Borders",
        "CFWB",
        "45 Rue de la Paix, 1202 Geneva, Switzerland",
        "https://example.org/cfwb",
        "Hélène Dubois",
        "Executive Director",
    ),
    (
        "Association of Families Separated by the Return Project",
        "AFSRP",
        "5-7-3 Tsuruhashi, Ikuno-ku, Osaka 544-0031, Japan",
        "https://example.org/afsrp",
        "Park Min-jung",
        "Chairperson",
    ),
]

# title, institution, department, address lines, postal code, holder, salutation pattern
POSITIONS = [
    (
        "Prime Minister",
        "Cabinet Secretariat",
        "Cabinet Public Relations Office",
        "1-6-1 Nagata-cho\nChiyoda-ku",
        "100-8914",
        ("H.E. Mr", "Yukio", "Hatoyama", "鳩山由紀夫", dt.date(2009, 9, 16)),
        "Dear Prime Minister {family_name},",
    ),
    (
        "Minister for Foreign Affairs",
        "Ministry of Foreign Affairs",
        "",
        "2-2-1 Kasumigaseki\nChiyoda-ku",
        "100-8919",
        ("H.E. Mr", "Katsuya", "Okada", "岡田克也", dt.date(2009, 9, 16)),
        "Dear Minister {family_name},",
    ),
    (
        "Director-General, Immigration Bureau",
        "Ministry of Justice",
        "Immigration Bureau",
        "1-1-1 Kasumigaseki\nChiyoda-ku",
        "100-8977",
        # Illustrative holder: the office is real, the person is not.
        ("Mr", "Hiroshi", "Tanabe", "田辺博", dt.date(2009, 7, 1)),
        "Dear Director-General {family_name},",
    ),
    (
        "Commandant",
        "Japan Coast Guard",
        "",
        "2-1-3 Kasumigaseki\nChiyoda-ku",
        "100-8918",
        # Illustrative holder: the office is real, the person is not.
        ("Admiral", "Takeshi", "Mori", "森武", dt.date(2008, 7, 1)),
        "Dear Commandant {family_name},",
    ),
]

THEMES = [
    "Human rights diplomacy",
    "UN mechanisms",
    "Food aid",
    "Refugee protection",
    "Non-refoulement",
    "Returnees and their families",
    "Accountability",
]

OPENING = """\
We write as four organisations that work with people from North Korea, inside Japan and
across the region, to ask your new government to put their rights at the centre of its
policy towards the Democratic People's Republic of Korea.

Your government has said that it wants a foreign policy built on shared values. Nowhere is
that test harder, or more urgent, than on the Korean peninsula. Below we set out practical
steps in four areas where Japan can make a real difference in the coming year.
"""

CLOSING = """\
We would welcome the chance to discuss these recommendations with you or your staff, and we
thank you for your attention to them.
"""

# heading, body, lead-in, [(text, government, third state, themes)]
SECTIONS = [
    (
        "Human rights in Japan's diplomacy with North Korea",
        "Talks with Pyongyang have so far treated human rights as a side issue, raised when the "
        "abduction cases are discussed and set aside otherwise. The wider situation, including "
        "political prison camps and public executions, deserves a place of its own.",
        "We urge the Government of Japan to:",
        [
            (
                "Make the human rights situation in North Korea a standing item in every "
                "bilateral and multilateral meeting with its government, including any resumed "
                "six-party talks.",
                "JP",
                "KP",
                ["Human rights diplomacy"],
            ),
            (
                "Keep leading, with the European Union, the resolutions on North Korea at the UN "
                "General Assembly and the Human Rights Council, and back the mandate of the "
                "Special Rapporteur.",
                "JP",
                "",
                ["UN mechanisms", "Human rights diplomacy"],
            ),
            (
                "Press the North Korean government to let the Special Rapporteur and UN "
                "human rights staff visit the country without conditions.",
                "JP",
                "KP",
                ["UN mechanisms"],
            ),
            (
                "Work with like-minded governments towards an independent international inquiry "
                "into possible crimes against humanity in North Korea.",
                "JP",
                "",
                ["Accountability", "UN mechanisms"],
            ),
        ],
    ),
    (
        "Food aid",
        "Chronic food shortages continue to hit the most vulnerable hardest. Aid saves lives "
        "only when it reaches the people it is meant for.",
        "We call on the Government of Japan to:",
        [
            (
                "Resume humanitarian food aid through UN agencies, on the condition that "
                "distribution is monitored by staff who can move freely and speak Korean.",
                "JP",
                "KP",
                ["Food aid"],
            ),
            (
                "Fund the World Food Programme's North Korea operation at a level that matches "
                "its assessed needs, and report publicly on how Japanese aid was used.",
                "JP",
                "",
                ["Food aid"],
            ),
            (
                "Urge the North Korean authorities to end the practice of giving food priority "
                "to the army and to groups favoured by the state.",
                "JP",
                "KP",
                ["Food aid", "Human rights diplomacy"],
            ),
        ],
    ),
    (
        "North Korean refugees",
        "People who flee North Korea face forced return from China and harsh punishment at "
        "home. The few who reach Japan need a fair hearing and real help to settle.",
        "We ask the Government of Japan to:",
        [
            (
                "Urge China to stop sending North Koreans back against their will and to let "
                "UNHCR meet those who want to seek asylum.",
                "JP",
                "CN",
                ["Refugee protection", "Non-refoulement"],
            ),
            (
                "Offer resettlement places in Japan to North Korean refugees stranded in third "
                "countries, with language classes, housing and job support.",
                "JP",
                "",
                ["Refugee protection"],
            ),
            (
                "Instruct the Immigration Bureau to examine asylum claims from North Koreans "
                "promptly and fairly, with interpreters and access to lawyers.",
                "JP",
                "",
                ["Refugee protection"],
            ),
            (
                "Make sure the Coast Guard's procedures for people arriving by boat from North "
                "Korea guarantee that no one is returned to a place where they face persecution.",
                "JP",
                "",
                ["Non-refoulement"],
            ),
        ],
    ),
    (
        "People who went from Japan to North Korea, 1959-1984",
        "Some 93,000 people, most of them ethnic Koreans and among them Japanese spouses, left "
        "Japan for North Korea under the return project. Many were never allowed to leave again "
        "or even to write freely to their families in Japan.",
        "We urge the Government of Japan to:",
        [
            (
                "Acknowledge publicly the part Japanese institutions played in the return "
                "project, and open the related government records to families and researchers.",
                "JP",
                "",
                ["Returnees and their families", "Accountability"],
            ),
            (
                "Press North Korea to let returnees and Japanese spouses visit Japan, and to "
                "let them write to and call their relatives without censorship.",
                "JP",
                "KP",
                ["Returnees and their families"],
            ),
            (
                "Give returnees who have escaped to Japan, and their children, secure residence "
                "and the same settlement support offered to other refugees.",
                "JP",
                "",
                ["Returnees and their families", "Refugee protection"],
            ),
        ],
    ),
]

# recommendation number, date, kind, response, implementation, note, next review
FOLLOW_UPS = [
    (
        2,
        dt.date(2009, 12, 18),
        FollowUpKind.STATEMENT,
        ResponseStatus.ACCEPTED,
        ImplementationStatus.IMPLEMENTED,
        "Japan co-sponsored the General Assembly resolution adopted this month.",
        None,
    ),
    (
        1,
        dt.date(2010, 1, 20),
        FollowUpKind.MEETING,
        ResponseStatus.PARTIALLY_ACCEPTED,
        ImplementationStatus.IN_PROGRESS,
        "Ministry officials said human rights would be raised alongside the abduction issue, "
        "but not as a separate agenda item.",
        dt.date(2010, 6, 30),
    ),
    (
        8,
        dt.date(2010, 2, 3),
        FollowUpKind.REPLY,
        ResponseStatus.NOTED,
        "",
        "Written reply from the Ministry of Foreign Affairs: the concern will be conveyed to "
        "Chinese counterparts 'at an appropriate opportunity'.",
        dt.date(2010, 5, 1),
    ),
    (
        9,
        dt.date(2010, 2, 3),
        FollowUpKind.REPLY,
        ResponseStatus.REJECTED,
        ImplementationStatus.NOT_STARTED,
        "The same reply says there is no plan for a resettlement programme.",
        None,
    ),
    (
        5,
        dt.date(2010, 3, 15),
        FollowUpKind.MEDIA,
        "",
        ImplementationStatus.NOT_STARTED,
        "Press reports confirm that food aid remains suspended.",
        dt.date(2010, 9, 1),
    ),
]


class Command(BaseCommand):
    help = "Load the demo letters, address book and one user per role. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even when DEBUG is off (creates accounts with known passwords).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: the demo creates accounts with known passwords. "
                "Pass --allow-production if you really mean it."
            )
        with transaction.atomic():
            # The roles come from a data migration; make them again if the database
            # was flushed since.
            sync_groups()
            users = self.load_users()
            positions = self.load_address_book()
            organizations = self.load_organizations()
            themes = self.load_themes()
            letter = self.load_letter(users, positions, organizations, themes)
            self.load_follow_up_letter(letter, users)
            self.load_council_letter(users, organizations, themes)

        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {letter}"))
        self.stdout.write("Demo accounts (username / password):")
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {role:<12} {username} / {password}")

    def load_users(self) -> dict[str, User]:
        users = {}
        for username, password, role, first, last in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": role == ADMIN,
                },
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[role] = user
        return users

    def load_address_book(self) -> list[Position]:
        positions = []
        for title, institution, department, lines, postal, holder, pattern in POSITIONS:
            position, _ = Position.objects.get_or_create(
                country="JP",
                institution=institution,
                title=title,
                archived_at=None,
                defaults={
                    "department": department,
                    "address_lines": lines,
                    "locality": "Tokyo",
                    "postal_code": postal,
                    "salutation_pattern": pattern,
                    "last_verified": dt.date(2009, 11, 30),
                },
            )
            honorific, given, family, native, start = holder
            official, _ = Official.objects.get_or_create(
                given_name=given,
                family_name=family,
                defaults={
                    "honorific": honorific,
                    "name_order": NameOrder.FAMILY_FIRST,
                    "native_name": native,
                },
            )
            Term.objects.get_or_create(
                position=position, start=start, defaults={"official": official}
            )
            positions.append(position)
        # The offices the coalition writes to about North Korea, one copy each.
        offices, _ = MailingList.objects.get_or_create(
            name="Japanese offices on North Korea policy",
            defaults={"description": "The Prime Minister and the offices copied on our letters"},
        )
        offices.positions.add(*positions)
        return positions

    def load_organizations(self) -> list[tuple[Organization, str, str]]:
        result = []
        for name, short, address, website, signer, title in ORGANIZATIONS:
            org, _ = Organization.objects.get_or_create(
                name=name,
                defaults={"short_name": short, "address": address, "website": website},
            )
            result.append((org, signer, title))
        return result

    def load_themes(self) -> dict[str, Theme]:
        return {
            name: Theme.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
            for name in THEMES
        }

    def load_letter(self, users, positions, organizations, themes) -> Letter:
        """
        The letter goes the way any letter goes: drafted, circulated, approved,
        finalised and sent (with its archived copies), then followed up. The
        workflow stamps "now"; the demo's own dates (late 2009) are put back after.
        """
        existing = Letter.objects.filter(reference="JP-2009-12").first()
        if existing:
            return existing
        coordinator = users[COORDINATOR]
        letter = self.draft_letter(users[DRAFTER], positions, organizations, themes)
        self.sign_and_send(letter, coordinator, organizations)
        self.write_press_release(letter, coordinator, organizations[0])
        self.follow_up(letter, coordinator)
        letter.refresh_from_db()
        return letter

    def draft_letter(self, drafter, positions, organizations, themes) -> Letter:
        """Write the letter in the editor's steps: recipients, sections, asks, signatories."""
        (lead, _signer, _title), *cosigners = organizations
        letter = drafting.create_letter(
            letter=Letter(
                reference="JP-2009-12",
                subject="Human rights in Japan's policy towards North Korea",
                date=dt.date(2009, 12, 10),
                language="en",
                lead_organization=lead,
                opening=OPENING,
                closing=CLOSING,
            ),
            by=drafter,
        )
        for order, position in enumerate(positions):
            role = RecipientRole.TO if order == 0 else RecipientRole.CC
            drafting.add_recipient(letter=letter, position=position, role=role)
        for heading, body, lead_in, recs in SECTIONS:
            section = drafting.add_section(
                letter=letter, section=Section(heading=heading, body=body, lead_in=lead_in)
            )
            for text, government, third_state, theme_names in recs:
                rec = Recommendation(text=text, government=government, third_state=third_state)
                tagged = [themes[name] for name in theme_names]
                drafting.add_recommendation(
                    section=section,
                    recommendation=rec,
                    save_m2m=lambda rec=rec, tagged=tagged: rec.themes.set(tagged),
                )
        for org, _signer, _title in cosigners:
            drafting.add_signatory(
                letter=letter, signatory=Signatory(organization=org, role=SignatoryRole.COSIGNER)
            )
        return letter

    def sign_and_send(self, letter: Letter, coordinator, organizations) -> None:
        """Circulate, approve (co-signers by their links, the lead in the app), finalise, send."""
        (_lead, lead_signer, lead_title), *cosigners = organizations
        pending = signing.circulate(
            letter=letter, by=coordinator, deadline=timezone.now() + dt.timedelta(days=14)
        )
        letter.refresh_from_db()
        signers = {org.pk: (signer, title) for org, signer, title in cosigners}
        for signatory in pending:
            signer, title = signers[signatory.organization_id]
            signing.approve(
                token=signatory.token,
                content_hash=letter.content_hash,
                signer_name=signer,
                signer_title=title,
                consent_to_publish=True,
            )
        signing.approve_for_lead(
            signatory=letter.signatories.get(role=SignatoryRole.LEAD),
            by=coordinator,
            signer_name=lead_signer,
            signer_title=lead_title,
        )

        problems = sending.finalise(letter=letter, by=coordinator)
        if problems:
            raise CommandError("The demo letter cannot be finalised: " + " ".join(problems))
        sent = dt.datetime(2009, 12, 10, 1, 0, tzinfo=dt.UTC)  # 10:00 in Tokyo
        sending.record_sending(
            letter=letter,
            by=coordinator,
            entries=[(r, sent.date(), "post") for r in letter.recipients.all()],
        )
        self.date_sign_on_and_sending(letter, sent)

    def write_press_release(self, letter: Letter, coordinator, lead_signing) -> None:
        lead, lead_signer, lead_title = lead_signing
        release = sending.start_press_release(letter=letter, by=coordinator)
        release.headline = "Japan's new government urged to put North Koreans' rights first"
        release.dateline = "TOKYO"
        assert letter.date is not None  # created with one above
        release.date = letter.date
        release.body = (
            "Four organisations today sent a joint letter to Prime Minister Hatoyama with "
            "fourteen recommendations on Japan's policy towards North Korea. They ask Japan "
            "to raise human rights in every meeting with Pyongyang, to resume monitored "
            "food aid, to press China to stop forced returns, and to face its own part in "
            "the 1959-1984 return project.\n\n"
            "Copies went to the Foreign Minister, the head of the Immigration Bureau and the "
            "Commandant of the Japan Coast Guard."
        )
        release.published = True
        release.save()
        Quote.objects.create(
            press_release=release,
            text=(
                "A government that speaks of values in foreign policy has a chance to show what "
                "that means for the people of North Korea, and for the families in Japan who "
                "have waited decades for news of their relatives."
            ),
            speaker_name=lead_signer,
            speaker_title=lead_title,
            organization=lead,
        )

    def follow_up(self, letter: Letter, coordinator) -> None:
        """What happened next to some of the asks, recorded as anyone records it."""
        by_number = {r.number: r for r in letter.recommendations.all()}
        for number, date, kind, response, implementation, note, review in FOLLOW_UPS:
            entry = tracking.record_follow_up(
                entry=FollowUp(
                    date=date,
                    kind=kind,
                    response_status=response,
                    implementation_status=implementation,
                    note=note,
                    next_review=review,
                ),
                recommendation=by_number[number],
                by=coordinator,
            )
            recorded = dt.datetime.combine(date, dt.time(3), tzinfo=dt.UTC)
            FollowUp.objects.filter(pk=entry.pk).update(recorded_at=recorded)

    def date_sign_on_and_sending(self, letter: Letter, sent: dt.datetime) -> None:
        """
        Put the 2009 dates on what the workflow stamped today. Plain updates: the
        records are frozen now, and their history keeps the workflow's own steps.
        """
        approved, deadline = sent - dt.timedelta(days=3), sent - dt.timedelta(days=2)
        finalised = sent - dt.timedelta(hours=2)
        Letter.objects.filter(pk=letter.pk).update(
            sign_on_deadline=deadline, finalized_at=finalised, sent_at=sent
        )
        letter.signatories.update(approved_at=approved)
        letter.signatories.filter(role=SignatoryRole.COSIGNER).update(
            invited_at=sent - dt.timedelta(days=9), token_expires_at=deadline
        )
        letter.approved_texts.update(created_at=approved)
        letter.recipients.update(snapshot_taken_at=finalised)
        letter.sent_copies.update(created_at=sent)

    def load_follow_up_letter(self, letter: Letter, users) -> Letter:
        """A draft that carries forward the asks not yet implemented."""
        existing = Letter.objects.filter(reference="JP-2010-06").first()
        if existing:
            return existing
        still_open = letter.recommendations.filter(number__in=[1, 5, 8, 9])
        draft = drafting.copy_letter(
            letter,
            reference="JP-2010-06",
            subject="Six months on: North Koreans' rights in Japan's policy",
            by=users[DRAFTER],
            recommendations=still_open,
        )
        draft.date = dt.date(2010, 6, 15)
        draft.opening = (
            "In December we wrote to you with fourteen recommendations. We welcome the steps "
            "your government has taken since, and we write again about those still open."
        )
        return drafting.save_letter(letter=draft, lead_changed=False, reference_changed=False)

    def council_office(self) -> Position:
        """The Council's member and observer states: a collective addressee reached by e-mail."""
        council, _ = Position.objects.get_or_create(
            country="UN",
            institution="Human Rights Council",
            title="Member and Observer States of the UN Human Rights Council",
            archived_at=None,
            defaults={
                "kind": PositionKind.COLLECTIVE,
                "delivery": Delivery.EMAIL,
                "email": "hrc-members@example.org",
                "last_verified": dt.date(2010, 2, 15),
            },
        )
        return council

    def load_council_letter(self, users, organizations, themes) -> Letter:
        """
        A draft to a collective addressee: the member and observer states of the
        UN Human Rights Council, greeted "Excellencies," and reached by e-mail
        (no holder, no postal address), with a section without a heading.
        """
        existing = Letter.objects.filter(reference="HRC-2010-03").first()
        if existing:
            return existing
        council = self.council_office()
        (lead, _signer, _title), (cosigner, _s, _t), *_ = organizations
        letter = drafting.create_letter(
            letter=Letter(
                reference="HRC-2010-03",
                subject="The mandate on human rights in North Korea at the 13th session",
                date=dt.date(2010, 3, 1),
                language="en",
                lead_organization=lead,
                opening=(
                    "Ahead of the Council's thirteenth session, we write about the "
                    "resolution on the situation of human rights in North Korea."
                ),
                closing="Please accept, Excellencies, the assurances of our highest consideration.",
            ),
            by=users[DRAFTER],
        )
        drafting.add_recipient(letter=letter, position=council, role=RecipientRole.TO)
        section = drafting.add_section(
            letter=letter,
            section=Section(
                heading="",
                body="Nothing in the past year suggests that the situation has improved.",
                lead_in="We call on the members of the Council to:",
                closing="Our organisations stand ready to brief delegations in Geneva.",
            ),
        )
        for text in [
            "Renew the mandate of the Special Rapporteur for another year.",
            "Ask North Korea to let the Special Rapporteur visit the country.",
        ]:
            rec = Recommendation(text=text, government="UN", third_state="KP")
            drafting.add_recommendation(
                section=section,
                recommendation=rec,
                save_m2m=lambda rec=rec: rec.themes.set([themes["UN mechanisms"]]),
            )
        drafting.add_signatory(
            letter=letter, signatory=Signatory(organization=cosigner, role=SignatoryRole.COSIGNER)
        )
        return letter
