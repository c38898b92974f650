"""The skills, role profiles and onboarding checklists an organisation starts with (then adapts).

Texts are translated with gettext and stored in the language of the person who opened the area first;
from then on they belong to the organisation and are edited like any other text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from onevoice.enablement.models import OnboardingItem
from onevoice.organization.roles import Role

V = OnboardingItem.Verification
D = OnboardingItem.Destination


@dataclass(frozen=True)
class SkillSpec:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class ItemSpec:
    title: str
    description: str
    verification: str = V.MANUAL
    destination: str = D.NONE
    required: bool = True


@dataclass(frozen=True)
class ProfileSpec:
    role: str
    title: str
    summary: str
    tasks: list[str]
    responsibilities: list[str]
    authority: list[str]
    skills: list[str]
    introduction: str
    items: list[ItemSpec] = field(default_factory=list)


def default_skills() -> list[SkillSpec]:
    return [
        SkillSpec("strategy", _("Social media strategy"), _("Goals, target groups, channel roles, KPIs.")),
        SkillSpec("planning", _("Content planning"), _("Editorial plan, campaigns, formats and timing.")),
        SkillSpec("writing", _("Writing and tone of voice"), _("Texts that fit the network and our voice.")),
        SkillSpec("visual", _("Images and video"), _("Creating and editing visual content.")),
        SkillSpec(
            "community", _("Community management"), _("Dialogue, moderation, de-escalation, netiquette.")
        ),
        SkillSpec(
            "crisis", _("Crisis communication"), _("Recognising a crisis early, escalating, responding.")
        ),
        SkillSpec("law", _("Law and data protection"), _("Impressum, copyright, image rights, GDPR.")),
        SkillSpec(
            "analytics", _("Analytics and reporting"), _("Reading figures, drawing conclusions, reporting.")
        ),
        SkillSpec(
            "accessibility",
            _("Accessible content"),
            _("Alt text, captions, plain language, readable images."),
        ),
        SkillSpec("tools", _("Working with OneVoice"), _("Plan, approvals, inbox and reports in this tool.")),
    ]


def default_profiles(*, two_factor: bool = False) -> list[ProfileSpec]:
    """The SMM, CM and contributor profiles; the two-factor step only where the installation has it."""
    read_profile = ItemSpec(
        _("Read your role profile"),
        _("Tasks, responsibilities and authority of your role. Ask if something is unclear."),
        destination=D.PROFILE,
    )
    guidelines = ItemSpec(
        _("Read and confirm the current guidelines"),
        _("Ticks itself once you have confirmed every published guideline."),
        verification=V.GUIDELINES,
        destination=D.GUIDELINES,
    )
    draft = ItemSpec(
        _("Practise with a draft"),
        _("Create a post in the editorial plan. It stays a draft until you submit it."),
        verification=V.DRAFT,
        destination=D.NEW_POST,
    )
    approval = ItemSpec(
        _("Learn the approval flow"),
        _("Submit a post for review and follow it through feedback and approval."),
        verification=V.SUBMITTED,
        destination=D.PLAN,
    )
    secure = (
        [
            ItemSpec(
                _("Set up two-factor authentication"),
                _("You can publish on the organisation's channels: protect your account with an app code."),
                verification=V.TWO_FACTOR,
                destination=D.TWO_FACTOR,
            )
        ]
        if two_factor
        else []
    )
    return [
        ProfileSpec(
            role=Role.SMM,
            title=_("Social Media Manager"),
            summary=_(
                "Leads social media across the organisation: sets the strategy, keeps the guidelines, "
                "coordinates the departments and answers for quality and results."
            ),
            tasks=[
                _("Develop the social media strategy with goals, target groups and a role for each channel."),
                _("Write and update the social media guidelines and the voice rules."),
                _("Coordinate the editorial plan with the departments and set the focus topics."),
                _("Set up approval flows and make sure they are followed."),
                _("Evaluate figures monthly and report to management."),
                _("Onboard new colleagues and organise trainings."),
                _("Lead the response in a social media crisis."),
            ],
            responsibilities=[
                _("A consistent voice of the organisation on every channel."),
                _("Compliance with law, data protection and the guidelines in published content."),
                _("Realistic planning that fits the hours the team has."),
                _("Access to the channels: who may publish where."),
            ],
            authority=[
                _("Approves content and may stop or withdraw a post at any time."),
                _("Pauses all publishing in a crisis."),
                _("Decides on new channels and closes channels that do not serve a goal."),
                _("Assigns role profiles and onboarding to members."),
            ],
            skills=["strategy", "planning", "writing", "crisis", "law", "analytics", "tools"],
            introduction=_(
                "Welcome! These steps make you familiar with the strategy, the guidelines and the tools "
                "you will be responsible for."
            ),
            items=[
                read_profile,
                guidelines,
                *secure,
                ItemSpec(
                    _("Go through the strategy: goals, target groups, channels"),
                    _("Check that goals and KPIs are current; you own them from now on."),
                    destination=D.STRATEGY,
                ),
                ItemSpec(
                    _("Review the approval flows"),
                    _("Who approves what, and within which time? Adjust the plan set-up where needed."),
                    destination=D.REVIEWS,
                ),
                ItemSpec(
                    _("Check who may publish on which channel"),
                    _("Remove access that is no longer needed."),
                    destination=D.CHANNELS,
                ),
                draft,
                ItemSpec(
                    _("Agree on the crisis procedure with management"),
                    _("Who is called, who decides, who speaks. Write it down in the guidelines."),
                    destination=D.GUIDELINES,
                ),
            ],
        ),
        ProfileSpec(
            role=Role.CM,
            title=_("Community Manager"),
            summary=_(
                "Runs the daily dialogue with the community, plans and publishes content and notices early "
                "when a topic is about to turn."
            ),
            tasks=[
                _("Answer comments, messages and mentions within the agreed times."),
                _("Moderate according to the netiquette: hide, report or block where needed."),
                _("Plan, write and publish posts in the editorial plan."),
                _("Forward specialist questions to the right department and follow up."),
                _("Watch the mood of the community and warn the Social Media Manager early."),
                _("Collect feedback and ideas from the community for the editorial plan."),
            ],
            responsibilities=[
                _("No message stays unanswered beyond the agreed response time."),
                _("Replies are friendly, correct and in our voice."),
                _("Escalations reach the Social Media Manager without delay."),
            ],
            authority=[
                _("Replies on the organisation's behalf within the guidelines."),
                _("Hides or deletes comments that break the netiquette."),
                _("Publishes approved posts on the channels of their departments."),
            ],
            skills=["community", "writing", "crisis", "law", "accessibility", "tools"],
            introduction=_(
                "Welcome to the community team! Work through these steps in your first weeks; the inbox "
                "shifts are best done together with an experienced colleague."
            ),
            items=[
                read_profile,
                guidelines,
                *secure,
                draft,
                approval,
                ItemSpec(
                    _("Shadow two inbox shifts"),
                    _("Sit in with an experienced colleague and see how cases are triaged and answered."),
                    destination=D.INBOX,
                ),
                ItemSpec(
                    _("Answer a first message in the inbox"),
                    _("Ticks itself once you have written a reply in the inbox."),
                    verification=V.REPLY,
                    destination=D.INBOX,
                ),
                ItemSpec(
                    _("Know the escalation path"),
                    _("Who do you call when a topic turns into a crisis, also outside office hours?"),
                    destination=D.GUIDELINES,
                ),
            ],
        ),
        ProfileSpec(
            role=Role.CONTRIBUTOR,
            title=_("Contributor (department)"),
            summary=_(
                "Brings the topics and knowledge of a department to social media and answers specialist "
                "questions from the community."
            ),
            tasks=[
                _("Suggest topics and deliver material (facts, pictures, contacts) from the department."),
                _("Write drafts for the department's posts or file content requests."),
                _("Answer specialist questions forwarded from the inbox within the agreed time."),
                _("Check posts about the department for correct facts."),
            ],
            responsibilities=[
                _("The facts about the department are correct and current."),
                _("Image rights and consent of the people shown are clarified."),
            ],
            authority=[
                _("Creates drafts and submits them for review."),
                _("Does not publish or reply to the community directly."),
            ],
            skills=["writing", "law", "tools"],
            introduction=_(
                "Thank you for bringing your department's topics to social media! These steps take about "
                "an hour."
            ),
            items=[
                read_profile,
                guidelines,
                ItemSpec(
                    _("File a first content request"),
                    _("Ticks itself once you have filed a request for a topic of your department."),
                    verification=V.REQUEST,
                    destination=D.REQUESTS,
                ),
                draft,
                ItemSpec(
                    _("Learn the approval flow"),
                    _("Submit a draft for review, or look at how a colleague's post was approved."),
                    verification=V.SUBMITTED,
                    destination=D.PLAN,
                    required=False,
                ),
            ],
        ),
    ]
