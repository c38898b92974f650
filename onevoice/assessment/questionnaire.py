"""The self-assessment questionnaire as data: dimensions, questions, options with points, and what to do.

Versioned: an assessment keeps the VERSION it was answered with. Change texts freely; when questions or
points change, raise VERSION so old results stay comparable only where the keys still match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERSION = 1

Text = str | Promise


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    points: int | None  # None: does not apply, the question is left out of the score


@dataclass(frozen=True)
class Link:
    """A OneVoice page that implements a recommendation: a URL name taking the organisation's slug."""

    url_name: str
    label: Text


@dataclass(frozen=True)
class Question:
    key: str
    text: Text
    why: Text  # why it matters, shown under the question
    options: tuple[Option, ...]
    recommendation: Text  # what to do when the answer is below the best one
    link: Link
    impact: int = 2  # 1 (nice to have) … 3 (foundation), for the order of the recommendations

    @property
    def max_points(self) -> int:
        return max((o.points for o in self.options if o.points is not None), default=0)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Dimension:
    key: str
    title: Text
    intro: Text
    questions: tuple[Question, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Level:
    number: int
    name: Text
    description: Text

    @property
    def low(self) -> int:
        return (self.number - 1) * 20

    @property
    def high(self) -> int:
        return 100 if self.number == 5 else self.number * 20 - 1


LEVELS = (
    Level(
        1, _("Initial"), _("Social media happens by chance: nothing is agreed, it depends on individuals.")
    ),
    Level(2, _("Emerging"), _("First agreements exist, but they are informal and not followed everywhere.")),
    Level(3, _("Defined"), _("The basics are written down and known; they are not yet lived everywhere.")),
    Level(4, _("Managed"), _("Rules, roles and processes are in use and are checked with figures.")),
    Level(5, _("Anchored"), _("Social media is part of how the organisation works and improves regularly.")),
)


def level_for(percent: int) -> Level:
    """0–19 % → 1 … 80–100 % → 5."""
    return LEVELS[min(4, max(0, percent) // 20)]


def _o(value: str, label: Text, points: int | None) -> Option:
    return Option(value, label, points)


NONE = "none"

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "strategy",
        _("Strategy and guidelines"),
        _("Whether social media has goals, rules for everyone and a recognisable voice."),
        (
            Question(
                "strategy_goals",
                _("Is there a social media strategy with goals?"),
                _(
                    "Without goals nobody can say whether the effort pays off, and every channel pulls its own way."
                ),
                (
                    _o(NONE, _("No"), 0),
                    _o("informal", _("Only in people's heads"), 1),
                    _o("written", _("Written down, without measurable goals"), 2),
                    _o("measurable", _("Written down with measurable goals and KPIs"), 4),
                ),
                _("Write down two or three goals for social media and give each a measurable KPI target."),
                Link("strategy:overview", _("Set goals and KPIs")),
                impact=3,
            ),
            Question(
                "strategy_guidelines",
                _("Are there social media guidelines for employees?"),
                _(
                    "Guidelines tell everyone what they may post and say, and protect them and the organisation."
                ),
                (
                    _o(NONE, _("No"), 0),
                    _o("draft", _("A draft or an old document"), 1),
                    _o("published", _("Published"), 3),
                    _o("acknowledged", _("Published and confirmed by most people (80 % or more)"), 4),
                ),
                _(
                    "Publish guidelines in OneVoice and ask everyone to confirm them; remind those who have not."
                ),
                Link("guidelines:list", _("Publish guidelines")),
                impact=3,
            ),
            Question(
                "strategy_voice",
                _("Is the tone of voice written down?"),
                _(
                    "A written voice (form of address, words to use and avoid) keeps many authors sounding like one."
                ),
                (
                    _o(NONE, _("No"), 0),
                    _o("informal", _("Agreed informally"), 1),
                    _o("written", _("Written down"), 2),
                    _o("checked", _("Written down and checked automatically before publishing"), 4),
                ),
                _("Turn your tone of voice into voice rules, so every post is checked before it goes out."),
                Link("voice:rules", _("Set up voice rules")),
            ),
        ),
    ),
    Dimension(
        "roles",
        _("Roles and authority"),
        _("Who is responsible, who may decide, and whether management stands behind it."),
        (
            Question(
                "roles_smm",
                _("Is there a social media manager with management backing?"),
                _(
                    "Someone has to hold strategy, guidelines and approvals together and needs the mandate to do so."
                ),
                (
                    _o(NONE, _("No, nobody is responsible"), 0),
                    _o("side", _("Someone does it on the side"), 1),
                    _o("named", _("A named social media manager, without a formal mandate"), 2),
                    _o("backed", _("A social media manager with a mandate from management"), 4),
                ),
                _("Name a social media manager, give them the SMM role in OneVoice and a written mandate."),
                Link("organization:people", _("Assign roles")),
                impact=3,
            ),
            Question(
                "roles_cms",
                _("Does every department active on social media have a community manager?"),
                _("Questions and comments need someone close to the subject who answers quickly."),
                (
                    _o(NONE, _("No"), 0),
                    _o("some", _("Some departments"), 2),
                    _o("all", _("Every active department (or the central team covers all)"), 4),
                ),
                _("Invite a community manager for each department that speaks on social media."),
                Link("organization:invite", _("Invite community managers")),
            ),
            Question(
                "roles_approval",
                _("Is it clear who may approve what is published?"),
                _("Unclear authority means slow posts, or posts that should never have gone out."),
                (
                    _o(NONE, _("No"), 0),
                    _o("case", _("Decided case by case"), 1),
                    _o("documented", _("Documented"), 3),
                    _o("enforced", _("Documented and enforced by the tool"), 4),
                ),
                _(
                    "Set up approval workflows per department or channel, with legal or management as reviewers."
                ),
                Link("planning:policies", _("Set up approvals")),
                impact=3,
            ),
            Question(
                "roles_management",
                _("How does management support social media?"),
                _("Budget, time and visibility follow management attention."),
                (
                    _o(NONE, _("Not at all"), 0),
                    _o("tolerated", _("It is tolerated"), 1),
                    _o("interested", _("It asks for results now and then"), 2),
                    _o("driving", _("It sets goals, reads the reports and provides resources"), 4),
                ),
                _("Send management a monthly report, so results and needs are visible without asking."),
                Link("analytics:reports", _("Schedule the management report")),
            ),
        ),
    ),
    Dimension(
        "processes",
        _("Processes"),
        _("Editorial planning, approvals, who answers the community, and what happens in a crisis."),
        (
            Question(
                "processes_planning",
                _("How are posts planned?"),
                _("A plan makes room for campaigns and topics and shows gaps and overload early."),
                (
                    _o(NONE, _("Not planned, posted when something comes up"), 0),
                    _o("short", _("A few days ahead"), 1),
                    _o("weeks", _("In an editorial plan, weeks ahead"), 3),
                    _o("campaigns", _("In an editorial plan with campaigns and topics, weeks ahead"), 4),
                ),
                _("Plan posts weeks ahead in the editorial plan and group them into campaigns and topics."),
                Link("planning:calendar", _("Open the editorial plan")),
                impact=3,
            ),
            Question(
                "processes_inbox",
                _("Who owns comments and messages?"),
                _("Unanswered questions cost trust; people expect an answer within hours, not days."),
                (
                    _o(NONE, _("Nobody in particular"), 0),
                    _o("whoever", _("Whoever sees them"), 1),
                    _o("owners", _("Named owners"), 2),
                    _o("sla", _("Named owners with response times that are met"), 4),
                ),
                _("Route cases to their owners in the inbox and set response times (SLA) for them."),
                Link("inbox:settings", _("Set up the inbox")),
                impact=3,
            ),
            Question(
                "processes_crisis",
                _("Is there a crisis plan for social media?"),
                _("In a shitstorm minutes count: who decides, who speaks, what stops publishing."),
                (
                    _o(NONE, _("No"), 0),
                    _o("informal", _("We would know whom to call"), 1),
                    _o("written", _("Written down"), 3),
                    _o("rehearsed", _("Written down and rehearsed"), 4),
                ),
                _(
                    "Write a crisis plan into the guidelines: who decides, who speaks, and when to pause all publishing."
                ),
                Link("guidelines:new", _("Write the crisis plan")),
                impact=2,
            ),
        ),
    ),
    Dimension(
        "resources",
        _("Resources"),
        _("Whether the hours people have match the work planned for them."),
        (
            Question(
                "resources_hours",
                _("Are the hours for social media part of people's jobs?"),
                _("Work done on the side is the first to drop when things get busy."),
                (
                    _o(NONE, _("No, it is done on the side"), 0),
                    _o("partly", _("For some people"), 2),
                    _o("all", _("Yes, for everyone involved"), 4),
                ),
                _(
                    "Record each person's weekly hours for social media, so capacity is planned, not hoped for."
                ),
                Link("organization:people", _("Record weekly hours")),
            ),
            Question(
                "resources_fit",
                _("Do the hours available match the tasks?"),
                _(
                    "Plans that do not fit the hours lead to late posts, unanswered comments and tired people."
                ),
                (
                    _o("overloaded", _("We are regularly over-booked"), 0),
                    _o("sometimes", _("Sometimes over-booked"), 2),
                    _o("mostly", _("It mostly fits"), 3),
                    _o("buffer", _("It fits, with a buffer"), 4),
                ),
                _("Check the workload view for over-booked weeks and move posts or plan more hours."),
                Link("workload:capacity", _("Check the workload")),
                impact=3,
            ),
            Question(
                "resources_budget",
                _("Is there a budget for content, tools and ads?"),
                _(
                    "Good images, video and promotion cost money; without a budget every item is a negotiation."
                ),
                (
                    _o(NONE, _("No"), 0),
                    _o("adhoc", _("Only case by case"), 1),
                    _o("annual", _("An annual budget"), 4),
                ),
                _("Agree an annual budget for content production and promotion and link it to your goals."),
                Link("strategy:overview", _("Link the budget to the goals")),
                impact=1,
            ),
        ),
    ),
    Dimension(
        "measurement",
        _("Measurement and reporting"),
        _("Whether results are measured, reported and used to improve."),
        (
            Question(
                "measurement_kpis",
                _("Which figures do you look at?"),
                _("Followers alone say little; interactions, reach and response times show what works."),
                (
                    _o(NONE, _("None"), 0),
                    _o("reach", _("Followers and reach"), 1),
                    _o("several", _("Several figures per channel"), 2),
                    _o("goals", _("KPIs tied to our goals, with targets"), 4),
                ),
                _("Set KPI targets for your goals; OneVoice shows on track or off track."),
                Link("strategy:overview", _("Set KPI targets")),
                impact=2,
            ),
            Question(
                "measurement_reporting",
                _("How does management learn about the results?"),
                _("A regular report turns social media from a cost into a visible contribution."),
                (
                    _o(NONE, _("It does not"), 0),
                    _o("request", _("On request"), 1),
                    _o("regular", _("A regular report"), 3),
                    _o("automatic", _("An automatic monthly report"), 4),
                ),
                _("Schedule the monthly management report as a PDF to the people who need it."),
                Link("analytics:reports", _("Schedule reports")),
            ),
            Question(
                "measurement_use",
                _("Are the results used to change the plan?"),
                _("Measuring only helps when it changes what you do next."),
                (
                    _o(NONE, _("No"), 0),
                    _o("sometimes", _("Sometimes"), 2),
                    _o("review", _("In a regular review (e.g. monthly)"), 4),
                ),
                _("Review the analytics every month with the team and adjust topics, formats and times."),
                Link("analytics:overview", _("Open the analytics")),
                impact=1,
            ),
        ),
    ),
    Dimension(
        "legal",
        _("Legal basics"),
        _("Impressum, data protection (DSGVO), accessibility and co-determination."),
        (
            Question(
                "legal_impressum",
                _("Does every channel link to an Impressum?"),
                _(
                    "In Germany business accounts need an easily reachable Impressum (§ 5 DDG); missing ones get warning letters."
                ),
                (
                    _o(NONE, _("No or unknown"), 0),
                    _o("some", _("Some channels"), 1),
                    _o("all", _("Every channel"), 4),
                ),
                _(
                    "Enter the Impressum address for every channel; OneVoice warns about channels without one."
                ),
                Link("networks:channels", _("Add the Impressum to the channels")),
                impact=3,
            ),
            Question(
                "legal_dsgvo",
                _("How is personal data from comments and messages handled (DSGVO)?"),
                _(
                    "Contacts, messages and exports are personal data: retention, access and erasure must be settled."
                ),
                (
                    _o(NONE, _("Not settled"), 0),
                    _o("partly", _("Partly settled"), 2),
                    _o("documented", _("Documented: retention periods, access and erasure"), 4),
                ),
                _(
                    "Set retention periods for inbox data and handle access and erasure requests in the contacts' privacy page."
                ),
                Link("inbox:privacy", _("Set up data protection")),
                impact=3,
            ),
            Question(
                "legal_accessibility",
                _("Are posts accessible (alt text, captions, plain language)?"),
                _(
                    "Many people rely on alt text and captions; for many organisations it is a legal duty (BFSG)."
                ),
                (
                    _o(NONE, _("Rarely"), 0),
                    _o("sometimes", _("Sometimes"), 1),
                    _o("always", _("Always, and images without alt text are refused"), 4),
                ),
                _("Require alt text for images on every channel, so posts without it cannot be published."),
                Link("networks:channels", _("Require alt text")),
                impact=2,
            ),
            Question(
                "legal_works_agreement",
                _("Is there a works agreement on the social media tools?"),
                _("Tools that could monitor performance need the works council's consent (§ 87 BetrVG)."),
                (
                    _o("na", _("Does not apply (no works council)"), None),
                    _o(NONE, _("No"), 0),
                    _o("preparing", _("In preparation"), 2),
                    _o("signed", _("Signed"), 4),
                ),
                _(
                    "Agree a works agreement with the works council; the workload view shows team figures only, never people ranked."
                ),
                Link("workload:setup", _("Review the workload rules")),
                impact=2,
            ),
        ),
    ),
    Dimension(
        "training",
        _("Training"),
        _("Whether people know the rules, the tools and how to talk to the community."),
        (
            Question(
                "training_onboarding",
                _("Are new team members introduced to the guidelines and the tools?"),
                _("People new to the team repeat the mistakes others already learnt from."),
                (
                    _o(NONE, _("No"), 0),
                    _o("informal", _("Informally"), 1),
                    _o("structured", _("With a structured onboarding"), 4),
                ),
                _(
                    "Give every role an onboarding checklist (guidelines, tools, tone of voice) for the first weeks."
                ),
                Link("enablement:profiles", _("Set up onboarding")),
            ),
            Question(
                "training_regular",
                _("Are community managers trained regularly (dialogue, crisis, law)?"),
                _("Rules and networks change; training keeps answers safe and friendly."),
                (
                    _o(NONE, _("Never"), 0),
                    _o("occasionally", _("Occasionally"), 2),
                    _o("yearly", _("At least once a year"), 4),
                ),
                _("Plan a yearly training for everyone who answers the community and record who attended."),
                Link("enablement:trainings", _("Record trainings")),
                impact=1,
            ),
            Question(
                "training_employees",
                _("Do employees know what they may post about the organisation?"),
                _("Employees are the most credible voice, and the most common source of accidental leaks."),
                (
                    _o(NONE, _("No"), 0),
                    _o("some", _("Some know"), 1),
                    _o("most", _("Most know"), 3),
                    _o("all", _("Everyone has confirmed the guidelines"), 4),
                ),
                _("Remind those who have not yet confirmed the current guidelines."),
                Link("guidelines:list", _("Send reminders")),
            ),
        ),
    ),
)

DIMENSION_BY_KEY = {d.key: d for d in DIMENSIONS}
QUESTION_BY_KEY = {q.key: q for d in DIMENSIONS for q in d.questions}
DIMENSION_OF = {q.key: d.key for d in DIMENSIONS for q in d.questions}


@dataclass(frozen=True)
class Fact:
    key: str
    label: Text
    help: Text
    kind: str  # "int", "hours" or "bool"
    maximum: int = 1_000_000


FACTS: tuple[Fact, ...] = (
    Fact("employees", _("Employees"), _("People working in the organisation, roughly."), "int"),
    Fact(
        "departments_active",
        _("Departments active on social media"),
        _(
            "Departments that post or answer on social media themselves (or want to), including a central team."
        ),
        "int",
        maximum=500,
    ),
    Fact(
        "central_team",
        _("Is there a central social media team?"),
        _("A team that creates content from the other departments' input."),
        "bool",
    ),
    Fact(
        "weekly_hours",
        _("Hours per week for social media"),
        _("All people together, including community management."),
        "hours",
        maximum=10_000,
    ),
    Fact(
        "channels",
        _("Social media channels"),
        _("Accounts the organisation runs on all networks."),
        "int",
        maximum=1000,
    ),
)
FACT_BY_KEY = {f.key: f for f in FACTS}

# The steps of the guided questionnaire: the facts first, then one dimension per step.
STEPS: tuple[str, ...] = ("facts", *(d.key for d in DIMENSIONS))
