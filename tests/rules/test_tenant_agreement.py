"""Which community a request is for: the path, the `X-Community` header and the argument
must name the same one, or the request is refused with TENANT_MISMATCH."""

import pytest

from server.errors import AccessError, ErrorCode
from tenants.resolution import agree


def test_sources_that_name_the_same_community_or_none_agree():
    assert agree("yrd", None, "yrd") == "yrd"
    assert agree(None, "", None) is None
    assert agree() is None


def test_two_sources_naming_different_communities_are_refused():
    with pytest.raises(AccessError) as refused:
        agree("yrd", "jjj", None)
    assert refused.value.code is ErrorCode.TENANT_MISMATCH
