"""What a view needs of the server. `@needs("has_reshard")` (a capability flag of browser/couch/flavour.py)
answers a server that lacks it with one status, 501 Not Implemented, and one sentence naming what this
server lacks, on one page (browser/lacking.html): the view itself never runs, so nothing is sent."""

import functools

from django.shortcuts import render

from browser.couch.flavour import CAPABILITIES

LACKING_STATUS = 501


def lacking_page(request, sentence):
    """The page for a server that lacks what was asked: the flavour's sentence, 501."""
    return render(request, "browser/lacking.html", {"sentence": sentence}, status=LACKING_STATUS)


def needs(capability):
    """Decorate a view that only a server with `capability` can answer."""
    if capability not in CAPABILITIES:
        raise ValueError(f"{capability!r} is no capability of browser/couch/flavour.py: {', '.join(CAPABILITIES)}")

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            sentence = request.couch.flavour.lacking(capability)
            if sentence:
                return lacking_page(request, sentence)
            return view(request, *args, **kwargs)

        return guarded

    return decorate
