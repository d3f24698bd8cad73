"""Template tags of the theme vote: the campaign the public pages show and its results."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def home_vote_section(context):
    """The home page's vote block (current campaign, live results, link to the vote page).

    Four queries when rendered (the campaigns, the results, the vote page's link), so kept in the site generation: a confirmed, validated or
    cancelled ballot, a hand-entered count or a campaign change bumps it (cms.cache), and it is
    rendered again when a campaign opens or closes by the clock (``Campaign.next_change``).
    """
    from django.template.loader import render_to_string
    from django.utils import timezone
    from django.utils.safestring import mark_safe

    from cms.cache import cached_until, request_vary
    from thematiques.vote.models import Campaign

    request = context.get("request")

    def render():
        campaign, next_change = Campaign.shown(timezone.now())
        html = render_to_string("thematiques/includes/home_vote_section.html",
                                {**context.flatten(), "campaign": campaign}, request)
        return html, next_change

    host = request_vary(request)
    return mark_safe(render()[0] if host is None else cached_until("home-vote", (host,), render))  # noqa: S308 - rendered by an autoescaping template


@register.simple_tag
def campaign_results(campaign):
    return campaign.results_summary() if campaign else None


@register.simple_tag(takes_context=True)
def vote_page_url(context):
    from thematiques.vote.views import vote_page_url as url

    return url(context.get("request"))


@register.simple_tag
def projet_accepts_candidatures(projet):
    """True when the projet partagé came out of a closed campaign: collectivités may apply to join it."""
    from thematiques.vote.models import Campaign

    return bool(projet and projet.pk and Campaign.objects.filter(projet_partage=projet, status=Campaign.Status.CLOS).exists())
