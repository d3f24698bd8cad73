"""Template tags of the theme vote: the campaign the public pages show and its results."""
from django import template

register = template.Library()


@register.simple_tag
def vote_campaign():
    """The open campaign, or else the last closed one (None when there is none)."""
    from thematiques.vote_models import Campaign

    return Campaign.current()


@register.simple_tag
def campaign_results(campaign):
    return campaign.results_summary() if campaign else None


@register.simple_tag(takes_context=True)
def vote_page_url(context):
    from thematiques.views import vote_page_url as url

    return url(context.get("request"))


@register.simple_tag
def projet_accepts_candidatures(projet):
    """True when the projet partagé came out of a closed campaign: collectivités may apply to join it."""
    from thematiques.vote_models import Campaign

    return bool(projet and projet.pk and Campaign.objects.filter(projet_partage=projet, status=Campaign.Status.CLOS).exists())
