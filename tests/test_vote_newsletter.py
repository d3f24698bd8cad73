"""A newsletter edition's vote section can follow a campaign: live counts, frozen by the export."""
import pytest

from tests.vote_helpers import make_campaign, make_collectivites


@pytest.mark.django_db
def test_vote_section_uses_the_chosen_campaign_results_else_the_hand_entered_rows(make_thematique):
    from newsletter.blocks import VoteSectionBlock, vote_campaign_choices
    from thematiques.vote.models import Ballot

    themes = [make_thematique(t) for t in ("Aménagement des territoires", "Droit à la mobilité")]
    campaign = make_campaign(themes)
    assert (str(campaign.pk), "Campagne 2027 (Ouvert)") in vote_campaign_choices()
    block = VoteSectionBlock()
    hand = block.to_python({"title": "Votez !", "rows": [{"label": "Aménagement des territoires", "count": 172}]})
    assert block.get_rows(hand) == [("Aménagement des territoires", 172)]

    chosen = block.to_python({"title": "Votez !", "campaign": str(campaign.pk),
                              "rows": [{"label": "Aménagement des territoires", "count": 172}]})
    assert block.get_rows(chosen) == [("Aménagement des territoires", 0), ("Droit à la mobilité", 0)]
    second = campaign.propositions.order_by("sort_order")[1]
    for c in make_collectivites(2):
        Ballot.objects.create(campaign=campaign, collectivite=c, status="confirme").choices.set([second])
    assert block.get_rows(chosen) == [("Droit à la mobilité", 2), ("Aménagement des territoires", 0)]
    campaign.delete()
    assert block.get_rows(chosen) == [("Aménagement des territoires", 172)]  # a deleted campaign falls back
