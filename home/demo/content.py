"""The demo site's content: the December 2021 edition of Territoires en Commun, page by page.

Wording comes from ``shared/seed/edition-2021-12.txt``. Where the seed links to ``#``, the demo uses
an address on the reserved ``example.org`` domain (``DEMO_URL``), so that no link pretends to be real.
"""
import datetime as dt

DEMO_URL = "https://www.example.org/territoires-en-commun"
EDITION_DATE = dt.date(2021, 12, 16)

HOME_INTRO = (
    "Tous les mois, Territoires en Commun vous propose de découvrir une thématique d'inspiration autour des "
    "enjeux, expériences et bonnes pratiques en matière d'engagement citoyen et de coopérations."
)

# The footer's line: not the home's intro, which the home page already shows.
TAGLINE = ("La plateforme d'inspiration de l'ANCT et de ses partenaires sur la participation citoyenne et les "
           "coopérations entre territoires.")

INDEXES = {
    "thematiques": ("Thématiques", "Les thématiques d'inspiration de Territoires en Commun : des enjeux de "
                    "politiques publiques, des expériences et des ressources pour les collectivités."),
    "ressources": ("Ressources", "Projets, initiatives, tribunes, concepts et actualités : toutes les ressources "
                   "de Territoires en Commun, à filtrer par thématique, type, territoire et année."),
    "agenda": ("Agenda", "Les temps forts de l'écosystème de la participation citoyenne et de la coopération "
               "entre collectivités."),
    "projets-partages": ("Projets partagés", "L'ANCT accompagne des collectivités autour de thématiques de "
                         "politiques publiques jugées prioritaires pour les territoires. Les collectivités votent "
                         "selon leurs enjeux ; en fonction de leur popularité, un thème est choisi pour faire "
                         "l'objet d'un projet partagé."),
}

# slug: (title, chapô, color, pictogram, thématique du mois)
THEMATIQUES = {
    "retour-a-l-emploi": (
        "Retour à l'emploi",
        "Ce mois-ci, Territoires en Commun vous propose d'explorer la thématique du retour à l'emploi en "
        "rassemblant des ressources liées à l'insertion des personnes éloignées du marché du travail. Ce thème "
        "croise les problématiques de développement territorial et de solidarité et met en résonance de multiples "
        "parties prenantes, collectivités, acteurs de l'emploi et citoyens.",
        "green-emeraude", "work", True,
    ),
    "petite-enfance": (
        "Petite enfance",
        "Le thème de l'accueil des enfants et l'accompagnement des parents en proximité répond à une préoccupation "
        "partagée par les collectivités de toutes tailles. Des exemples de projets existants pourront vous aider à "
        "concrétiser d'autres manières d'accompagner et de coopérer avec les familles, le système éducatif et les "
        "institutions compétentes.",
        "yellow-tournesol", "family", False,
    ),
    "amenagement-des-territoires": (
        "Aménagement des territoires",
        "Associer les habitants à l'aménagement de leur territoire : concertation sur les projets urbains et "
        "ruraux, usages partagés de l'espace public, coopération entre collectivités voisines.",
        "brown-cafe-creme", "house", False,
    ),
    "droit-a-la-mobilite": (
        "Droit à la mobilité",
        "Se déplacer pour se former, travailler, se soigner : les collectivités et leurs partenaires inventent "
        "une mobilité locale, solidaire et inclusive.",
        "blue-ecume", "car", False,
    ),
    "precarite-alimentaire": (
        "Précarité alimentaire",
        "Garantir à chacun l'accès à une alimentation de qualité : aide alimentaire, circuits courts, "
        "jardins partagés et coopérations locales contre la précarité alimentaire.",
        "orange-terre-battue", "food", False,
    ),
    "isolement-des-seniors": (
        "Isolement des seniors",
        "Rompre l'isolement des personnes âgées : solidarités de voisinage, lien intergénérationnel et "
        "services de proximité construits avec les habitants.",
        "purple-glycine", "people", False,
    ),
}

# Where the seed gives one paragraph, it is the chapô; the body holds the facts (here, the vote of 2021).
THEMATIQUE_FACTS = {
    "retour-a-l-emploi": "Thématique du mois de la lettre de décembre 2021. Au vote des collectivités clos le "
                         "30 novembre 2021, elle a recueilli 113 votes.",
    "petite-enfance": "Thématique ajoutée après le vote de 2021 : elle est proposée aux collectivités dans la "
                      "campagne de vote en cours.",
    "amenagement-des-territoires": "Thématique arrivée en tête du vote des collectivités clos le 30 novembre 2021, "
                                   "avec 172 votes : elle a donné lieu au projet partagé Aménagement.",
    "droit-a-la-mobilite": "Deuxième thématique du vote des collectivités clos le 30 novembre 2021, avec 136 votes.",
    "precarite-alimentaire": "Troisième thématique du vote des collectivités clos le 30 novembre 2021, avec 131 votes.",
    "isolement-des-seniors": "Quatrième thématique du vote des collectivités clos le 30 novembre 2021, avec 125 votes.",
}

PROJET_PARTAGE_FACTS = ("Projet partagé en cours, accompagné par l'ANCT. Les collectivités qui y participent, "
                        "d'après les territoires accompagnés publiés par l'ANCT, sont listées ci-dessous.")

THEMATIQUE_CONTACT = (
    "L'ANCT peut vous accompagner sur cette thématique d'inspiration.",
    "Contactez-nous pour nous préciser vos besoins sur cette thématique",
    "Contactez l'ANCT",
)

TRIBUNE = {
    "slug": "ingenierie-participative-democratie-locale",
    "title": "L'ingénierie participative les logiques de concertation et les autres voies qui peuvent permettre "
             "de : \"faire de la démocratie locale une réalité plus vivante\"",
    "chapo": "Une première ressource pour envisager les enjeux de la thématique du mois en matière d'inclusion dans "
             "le milieu professionnel par la voie de l'implication citoyenne. Cette tribune détaille la manière dont "
             "les grands projets de concertation et de participation citoyenne peuvent constituer de nouveaux leviers "
             "d'emplois sur les territoires.",
    "quote": "faire de la démocratie locale une réalité plus vivante",
    "quote_author": "Jacques Chirac",
    "facts": "Tribune publiée en introduction de la thématique du mois, Retour à l'emploi, dans la lettre de "
             "Territoires en Commun du 16 décembre 2021.",
}

# slug: title, chapô, project lead, nature, button label, territoire (code for Collectivite.lookup), thématiques
PROJETS = {
    "greve-du-chomage": (
        "La grève du chômage menée par Territoires zéro chômage de longue durée",
        "La 6e édition de la Grève du chômage a eu lieu en novembre dernier et a réuni plus de 75 territoires à "
        "travers le pays. De nombreuses personnes éloignées de l'emploi mais volontaires pour travailler se sont "
        "réunies autour de missions variées avec pour objectif d'alerter contre les barrières concrètes à l'emploi "
        "rencontrées sur les territoires.",
        "Territoires zéro chômage de longue durée", "experience", "Pour découvrir le projet", "",
        ["retour-a-l-emploi"],
    ),
    "wake-up-cafe": (
        "L'association Wake Up Café aide les détenus à trouver un emploi",
        "Depuis 2014, Wake up Café œuvre à la réinsertion des détenus de la fin de leur peine jusqu'au réemploi "
        "dans le monde professionnel. Pour cela, l'association organise des projets artistiques, des ateliers, des "
        "soirées événementielles etc.",
        "Wake Up Café", "initiative", "Découvrez l'initiative", "", ["retour-a-l-emploi"],
    ),
    "collectif-reperages": (
        "Collectif Repérages",
        "L'association soutenue par le Conseil départemental du Val-de-Marne participe à la remobilisation des "
        "personnes éloignées de l'emploi par la formation aux métiers de l'audiovisuel.",
        "Collectif Repérages", "experience", "Pour découvrir le projet", "94", ["retour-a-l-emploi"],
    ),
    "handipacte-ile-de-france": (
        "Handipacte Ile-de-France",
        "Une plateforme de ressources pour outiller les collectivités sur les enjeux de la mobilité locale et "
        "inclusive.",
        "Handipacte Île-de-France", "initiative", "Découvrez l'initiative", "237500079",
        ["retour-a-l-emploi", "droit-a-la-mobilite"],
    ),
}

ARTICLE = {
    "slug": "etre-benevole-ou-volontaire",
    "title": "Être bénévole ou volontaire : un tremplin vers l'emploi ?",
    "chapo": "Cet article développe la place que peut occuper le bénévolat ou le volontariat dans la connexion des "
             "individus, et notamment un public jeune, avec le marché de l'emploi.",
    "kicker": "Pour aller plus loin sur la mobilité inclusive",
    "facts": "Article recommandé par la lettre de décembre 2021, rubrique « Pour aller plus loin sur la mobilité "
             "inclusive ». Le lien ci-dessous mène au texte complet, sur le site de son éditeur.",
}

CONCEPT = {
    "slug": "qualite-de-la-participation",
    "title": "Qualité de la participation",
    "chapo": "La question de la qualité de la participation est difficile et prête à discussion. Deux grands "
             "registres sont fréquemment invoqués.",
    "paragraphs": [
        "La question de la qualité de la participation est difficile et prête à discussion. Deux grands registres "
        "sont fréquemment invoqués.",
        "Le premier registre est celui de la qualité de la procédure mise en place, qui ramène à la justesse des "
        "usages, à l'horizontalité des processus et au degré de coopération entre les parties prenantes. Il existe "
        "aujourd'hui un certain consensus sur les principes généraux qui conditionnent leur qualité, par exemple la "
        "clarté du cadre, l'état d'esprit des initiateurs, la diversité des publics, le pouvoir d'initiative des "
        "participants, etc. Ces principes sont détaillés dans la Charte de la participation du public qui peut aussi "
        "bien servir d'aide-mémoire que de guide d'évaluation décliné par certaines collectivités.",
        "Le second registre est celui des effets produits par la mise en place d'un processus et le degré "
        "d'évolution des logiques territoriales pré-existantes. A quoi cela a-t-il servi ? La participation a-t-elle "
        "contribué à enrichir la décision publique ? A-t-elle amélioré le projet ? Les citoyens sont-ils plus engagés "
        "dans la vie locale ? Les élus ou les décideurs publics se tournent-ils plus facilement vers eux ? Les "
        "institutions sont-elles plus attentionnées envers les usagers et les citoyens ?",
        "Territoires en Commun en retient que la qualité d'un processus participatif et/ou délibératif est à la fois "
        "indissociable d'une exigence démocratique que se donne une collectivité mais aussi du contexte du territoire "
        "dans lequel se manifeste une culture de la participation. De la même façon, elle s'articule directement "
        "avec la question de l'évaluation : la participation peut être une cause et une conséquence de l'évaluation. "
        "Au regard de l'évaluation, une analyse quantitative peut apprécier la qualité d'une démarche, en veillant "
        "par exemple à mobiliser un jury impartial et à faire évoluer les critères d'évaluation. Une approche dite "
        "\"sensible\" peut également s'appuyer sur les retours d'expériences des citoyens, en appelant à leurs "
        "témoignages singuliers et à des récits subjectifs.",
    ],
    "liens": [
        ("L'Indice de Qualité Démocratique développé par Démocratie Ouverte", "Démocratie Ouverte",
         "indice-qualite-democratique"),
        ("L'évaluation de la participation par l'ICPC", "Institut de la Concertation et de la Participation Citoyenne",
         "evaluation-participation-icpc"),
        ("Les critères des garants de concertation par la CNDP", "Commission nationale du débat public",
         "criteres-garants-cndp"),
        ("Les chartes de la participation", "Charte de la participation du public", "chartes-participation"),
    ],
    "criteres_titre": "Les critères d'évaluation des Trophées de la participation : Les critères d'évaluation qui "
                      "permettront au jury d'apprécier le nombre d'étoiles à attribuer à chaque projet sont les "
                      "suivants :",
    "criteres": [
        "Définition d'objectifs clairs attribués à la démarche de participation",
        "Qualité de la conception de la démarche (choix des outils, implication des parties prenantes dès la "
        "conception, définition d'un calendrier, règles du jeu, etc.).",
        "Inclusion des publics ciblés",
        "Impact démocratique de la démarche (information des publics, prise en compte des avis et idées des "
        "citoyens, utilité pour le porteur de projet, amélioration du projet concerté, conséquence sur la prise de "
        "décision, etc.)",
        "Moyens humains et financiers de la démarche (par rapport aux moyens du porteur de projet)",
        "Caractère innovant de la démarche",
        "Réplicabilité de la démarche",
    ],
}

def projet_facts(kicker: str, themes, thematiques) -> str:
    """The body of a projet: where and when the edition presented it (the project lead, territoire and link
    are the page's own fields, shown once)."""
    titles = ", ".join(thematiques[slug].title for slug in themes)
    return (f"{kicker} présentée dans la lettre de Territoires en Commun du 16 décembre 2021, thématique "
            f"{titles}. Le lien ci-dessous mène à la présentation complète, sur le site du porteur de projet.")


RESSOURCE_DEMO_FACTS = ("Contenu fictif, publié pour la démonstration du site : il ne renvoie à aucune "
                        "ressource réelle.")

# Facts of the actualités the seed gives no more about; "{concept}" is the concept page's id.
ACTUALITE_FACTS = {
    "remise-des-trophees-de-la-participation":
        'Les critères d\'évaluation du jury des Trophées sont détaillés dans le concept du mois, '
        '<a linktype="page" id="{concept}">Qualité de la participation</a>.',
}

# slug: title, chapô, date, button (label, target) where target is "projet-ados", "projets-partages" or "".
ACTUALITES = {
    "des-nouvelles-du-projet-partage": (
        "Des nouvelles du projet partagé",
        "Le droit des adolescents et des jeunes à une vie épanouie ? Découvrez le projet partagé de l'ANCT avec "
        "Tarascon-Sur-Ariège, Paris 20ème, l'Île-Saint-Denis et Rezé dans la conception de la politique locale avec "
        "et par les adolescents et jeunes adultes.",
        dt.date(2021, 12, 14), ("Retrouvez les détails du projet", "projet-ados"), "À retrouver juste ici !",
    ),
    "remise-des-trophees-de-la-participation": (
        "La remise des Trophées de la Participation",
        "Le 7 décembre s'est tenue la 6e cérémonie de remise des trophées de la Participation. Les lauréats 2021 "
        "sont...",
        dt.date(2021, 12, 8), None, "",
    ),
    "rencontres-do-edition-territoires": (
        "Les Rencontres DO - Édition territoires",
        "Le 1er et le 2 décembre se sont déroulées les Rencontres du Réseau des Territoires d'innovation démocratique "
        "de Démocratie Ouverte. Deux jours d'échanges et d'inspirations autour du réenchantement de la démocratie et "
        "l'occasion d'un temps de présentation de la plateforme Territoires en Commun, de l'offre de service projet "
        "partagé et de Territoires d'Engagement.",
        dt.date(2021, 12, 3), ("Les projets partagés", "projets-partages"), "",
    ),
}

# The seed's plain text interleaved the 11 and 25 January events; untangled here into four events.
# slug: title, chapô, date, organizer, online, link label, thématiques
EVENEMENTS = {
    "handicap-innovations-et-reseaux": (
        "Handicap : innovations et réseaux, l'union fait la force !",
        "Une rencontre proposée par la Caisse des Dépôts et la Handitech sur les innovations et les réseaux au "
        "service de l'inclusion des personnes en situation de handicap.",
        dt.date(2022, 1, 11), "La Caisse des Dépôts et la Handitech", False, "En savoir plus",
        ["retour-a-l-emploi"],
    ),
    "quels-rdvs-de-l-innovation-democratique-en-2022": (
        "Quels RDVs de l'innovation démocratique en 2022 ?",
        "Le dernier webinaire du Réseau des Territoires de l'année 2021 ouvrira la porte à l'année 2022 et aux "
        "attentes des collectivités du Réseau : quels RDVs de l'innovation démocratique en 2022 ?",
        dt.date(2022, 1, 25), "Démocratie Ouverte — Réseau des Territoires d'innovation démocratique", True,
        "Découvrez le réseau", [],
    ),
    "comment-la-mobilite-solidaire-s-impose": (
        "Comment la mobilité solidaire s'impose ?",
        "Évènement anniversaire du lancement de #Tous Mobiles par le Laboratoire de la Mobilité inclusive et ses "
        "partenaires.",
        dt.date(2022, 1, 26), "Le Laboratoire de la Mobilité inclusive et ses partenaires", False,
        "Pour en savoir plus", ["droit-a-la-mobilite"],
    ),
    "prevenir-plutot-que-guerir-changement-climatique": (
        "Prévenir plutôt que guérir : comment aborder le changement climatique dans les territoires ?",
        "Une rencontre du Hub des Territoires sur l'adaptation des territoires au changement climatique.",
        dt.date(2022, 1, 16), "Le Hub des Territoires", False, "Pour en savoir plus",
        ["amenagement-des-territoires"],
    ),
}
PLACE_UNKNOWN = "Lieu précisé par l'organisateur"

# Clearly demo events, dated from today so that the agenda's "upcoming" section is never empty.
# slug: title, chapô, days from today, hour, online, thématiques
EVENEMENTS_A_VENIR = {
    "demo-webinaire-petite-enfance": (
        "Webinaire (démonstration) : coopérer avec les familles autour de la petite enfance",
        "Événement de démonstration du site : un webinaire d'échange entre collectivités sur l'accueil des enfants "
        "et l'accompagnement des parents.",
        14, 10, True, ["petite-enfance"],
    ),
    "demo-atelier-mobilite-solidaire": (
        "Atelier (démonstration) : construire une offre de mobilité solidaire",
        "Événement de démonstration du site : un atelier pour partager les outils de la mobilité locale et "
        "inclusive.",
        35, 14, True, ["droit-a-la-mobilite"],
    ),
    "demo-rencontre-projets-partages": (
        "Rencontre (démonstration) : les collectivités des projets partagés",
        "Événement de démonstration du site : une rencontre en ligne des collectivités engagées dans les projets "
        "partagés de l'ANCT.",
        60, 9, True, ["amenagement-des-territoires"],
    ),
}

# projet_partage value in the ANCT CSV: slug, title, chapô, thématique slug
PROJETS_PARTAGES = {
    "Ados": (
        "projet-partage-ados",
        "Projet partagé Ados : le droit des adolescents et des jeunes à une vie épanouie",
        "Le droit des adolescents et des jeunes à une vie épanouie ? Le projet partagé de l'ANCT avec "
        "Tarascon-Sur-Ariège, Paris 20ème, l'Île-Saint-Denis et Rezé dans la conception de la politique locale avec "
        "et par les adolescents et jeunes adultes.",
        "",
    ),
    "Culture": (
        "projet-partage-culture",
        "Projet partagé Culture",
        "Le projet partagé de l'ANCT sur la culture, avec Mantes-la-Jolie, Guichen, Bourges et Niort.",
        "",
    ),
    "Aménagement": (
        "projet-partage-amenagement",
        "Projet partagé Aménagement",
        "Le projet partagé de l'ANCT sur l'aménagement des territoires, avec Vaison-la-Romaine, "
        "Vandœuvre-lès-Nancy, la communauté de communes de la Vallée de Kaysersberg et Thiers.",
        "amenagement-des-territoires",
    ),
}

PARTENAIRES = [
    ("Agence nationale de la cohésion des territoires", "ANCT", "https://agence-cohesion-territoires.gouv.fr",
     "blue-france"),
    ("Banque des Territoires", "BDT", "https://www.banquedesterritoires.fr", "green-archipel"),
    ("Décider ensemble", "DE", "https://www.deciderensemble.com", "orange-terre-battue"),
    ("Institut de la Concertation et de la Participation Citoyenne", "ICPC", "https://i-cpc.org", "purple-glycine"),
]

MENTIONS_LEGALES = [
    ("h2", "Éditeur du site"),
    ("p", "Ce site est édité par l'Agence nationale de la cohésion des territoires (ANCT), établissement public de "
          "l'État, 20 avenue de Ségur, 75007 Paris, avec ses partenaires : la Banque des Territoires, Décider "
          "ensemble et l'Institut de la Concertation et de la Participation Citoyenne."),
    ("h2", "Directeur de la publication"),
    ("p", "Le directeur général de l'Agence nationale de la cohésion des territoires."),
    ("h2", "Hébergement"),
    ("p", "Les coordonnées de l'hébergeur sont communiquées par l'éditeur sur simple demande à l'adresse de contact "
          "du site."),
    ("h2", "Licence des contenus"),
    ("p", "Sauf mention contraire, les contenus de Territoires en Commun sont publiés sous licence Creative Commons "
          "Attribution 4.0 International (CC BY 4.0) : vous pouvez les partager et les adapter en citant la source."),
    ("h2", "Données de référence"),
    ("p", "Les collectivités sont issues du Code officiel géographique de l'INSEE et de la liste des EPCI, diffusés "
          "par Etalab sous Licence Ouverte 2.0 ; les territoires accompagnés proviennent des données publiques de "
          "l'ANCT."),
]

ACCESSIBILITE = [
    ("p", "L'Agence nationale de la cohésion des territoires s'engage à rendre son site internet accessible "
          "conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005."),
    ("p", "Cette déclaration d'accessibilité s'applique au site Territoires en Commun."),
    ("h2", "État de conformité"),
    ("p", "Le site Territoires en Commun est partiellement conforme avec le référentiel général d'amélioration de "
          "l'accessibilité (RGAA), version 4.1, en raison des non-conformités et des dérogations énumérées "
          "ci-dessous."),
    ("h2", "Résultats des tests"),
    ("p", "Aucun audit de conformité complet n'a encore été réalisé par un organisme externe : le taux de "
          "conformité aux 106 critères du RGAA 4.1 n'est donc pas encore établi. Un audit complet est prévu ; "
          "cette déclaration sera mise à jour avec son résultat."),
    ("h2", "Ce qui est testé, et comment"),
    ("p", "À chaque modification du site, des tests automatiques ouvrent chaque type de page publique (accueil, "
          "thématiques, bibliothèque filtrée ou non, chaque type de ressource, agenda et événement, projets "
          "partagés, vote ouvert et clos, lettre d'information, recherche, formulaires de contribution et de "
          "contact envoyés avec des erreurs, page introuvable) dans le navigateur Chromium, à 320, 390, 768 et "
          "1280 pixels de large, et à 1280 pixels agrandis à 200 %. Ils vérifient :"),
    ("p", "la redistribution du contenu sans défilement horizontal à 320 pixels (critère 10.11) et l'agrandissement "
          "à 200 % (critère 10.4) ; que chaque lien et chaque bouton montre tout son intitulé (critères 10.4 et "
          "10.11) ; que les images ne sont pas déformées ; que rien ne recouvre l'en-tête ; les règles WCAG 2.1 "
          "niveaux A et AA de l'outil axe-core, qui couvrent en partie les thématiques Images, Couleurs, Liens, "
          "Structuration de l'information, Formulaires et Navigation du RGAA ; le parcours de vote au clavier seul "
          "sur un téléphone (critère 12.13 et thématique Formulaires)."),
    ("p", "Ces tests se lancent avec la commande « pytest tests/test_browser_visual.py tests/test_browser_a11y.py "
          "tests/test_browser_vote.py » dans le dépôt du site (voir la section « Public site » de son fichier "
          "README). Ils ne remplacent pas un audit : les critères qui demandent un jugement humain (pertinence des "
          "textes alternatifs, des titres et des intitulés de liens, restitution par les lecteurs d'écran) sont "
          "vérifiés à la main, au clavier et avec les lecteurs d'écran NVDA et VoiceOver, sur les gabarits de page "
          "seulement."),
    ("h2", "Contenus non accessibles"),
    ("h3", "Non-conformités"),
    ("p", "Certains documents joints (PDF) publiés par des partenaires peuvent ne pas être accessibles. Les "
          "illustrations des cartes ne portent aucun texte : un pictogramme et une couleur, décrits par leur texte "
          "alternatif."),
    ("h3", "Dérogations pour charge disproportionnée"),
    ("p", "Aucune."),
    ("h3", "Contenus non soumis à l'obligation d'accessibilité"),
    ("p", "Les contenus de sites tiers vers lesquels renvoient les liens « Pour découvrir le projet », "
          "« Découvrez l'initiative » et « En savoir plus », signalés comme s'ouvrant dans une nouvelle fenêtre."),
    ("h2", "Établissement de cette déclaration d'accessibilité"),
    ("p", "Cette déclaration a été établie le 16 décembre 2021. Technologies utilisées pour la réalisation du "
          "site : HTML5, CSS, JavaScript (Système de design de l'État). Environnement de test : navigateurs "
          "Chromium et Firefox récents, lecteurs d'écran NVDA et VoiceOver."),
    ("h2", "Retour d'information et contact"),
    ("p", "Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter l'équipe de "
          "Territoires en Commun à l'adresse contact@territoires-en-commun.fr pour être orienté vers une alternative "
          "accessible ou obtenir le contenu sous une autre forme."),
    ("h2", "Voies de recours"),
    ("p", "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou une fonctionnalité "
          "du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous "
          "êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits : par le "
          "formulaire de contact en ligne du Défenseur des droits, en contactant le délégué du Défenseur des droits "
          "dans votre région, ou par courrier (gratuit, sans affranchissement) : Défenseur des droits, "
          "Libre réponse 71120, 75342 Paris CEDEX 07."),
]

DONNEES_PERSONNELLES = [
    ("p", "Territoires en Commun traite un minimum de données personnelles, pour les seules finalités décrites "
          "ci-dessous. Le responsable de traitement est l'Agence nationale de la cohésion des territoires."),
    ("h2", "Lettre d'information"),
    ("p", "L'adresse électronique des abonnés sert uniquement à l'envoi de la lettre mensuelle. Chaque envoi "
          "contient un lien de désinscription."),
    ("h2", "Vote des collectivités et contributions"),
    ("p", "Lorsqu'une collectivité vote pour une thématique ou propose un événement, le nom et l'adresse "
          "électronique de la personne qui agit pour elle sont conservés le temps de la campagne, puis effacés passé "
          "le délai indiqué dans les réglages du site."),
    ("h2", "Mesure d'audience et cookies"),
    ("p", "Le site ne dépose aucun cookie de mesure d'audience ni de publicité. Seuls les cookies techniques "
          "nécessaires à l'espace d'administration sont utilisés."),
    ("h2", "Vos droits"),
    ("p", "Vous disposez d'un droit d'accès, de rectification, d'effacement et d'opposition sur vos données. Pour "
          "l'exercer, écrivez à contact@territoires-en-commun.fr. Vous pouvez aussi adresser une réclamation à la "
          "Commission nationale de l'informatique et des libertés (CNIL)."),
]

# Clearly demo resources (not in the seed), so that the library's year and thématique filters have more
# than one value to offer. slug: title, chapô, date, thématiques
RESSOURCES_DEMO = {
    "demo-petite-enfance-cooperer-avec-les-familles": (
        "Fiche de démonstration : coopérer avec les familles autour de la petite enfance",
        "Ressource de démonstration du site : une fiche pratique fictive pour montrer comment une ressource "
        "de la thématique Petite enfance apparaît dans la bibliothèque.",
        dt.date(2022, 3, 15), ["petite-enfance"],
    ),
    "demo-isolement-des-seniors-solidarites-de-voisinage": (
        "Fiche de démonstration : les solidarités de voisinage contre l'isolement des seniors",
        "Ressource de démonstration du site : une fiche pratique fictive pour la thématique Isolement des "
        "seniors.",
        dt.date(2022, 6, 1), ["isolement-des-seniors"],
    ),
}
