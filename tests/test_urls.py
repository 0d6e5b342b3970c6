from extractors.urls import canonicalize_url, url_id


def test_tracking_parameters_and_fragments_are_dropped():
    url = "https://News.Example.com/a/b.html?utm_source=rss&id=7&fbclid=x#comments"
    assert canonicalize_url(url) == "https://news.example.com/a/b.html?id=7"


def test_default_port_dropped_other_ports_kept():
    assert canonicalize_url("http://example.com:80/x") == "http://example.com/x"
    assert canonicalize_url("http://127.0.0.1:8765/x") == "http://127.0.0.1:8765/x"


def test_query_order_does_not_change_identity():
    a = canonicalize_url("http://example.com/p?b=2&a=1")
    b = canonicalize_url("http://example.com/p?a=1&b=2")
    assert a == b
    assert url_id(a) == url_id(b)


def test_empty_path_becomes_root():
    assert canonicalize_url("https://example.com") == "https://example.com/"


def test_url_id_is_stable_and_short():
    assert url_id("https://example.com/") == url_id("https://example.com/")
    assert len(url_id("https://example.com/")) == 16
    assert url_id("https://example.com/a") != url_id("https://example.com/b")


def test_ipv6_literals_keep_their_brackets():
    assert canonicalize_url("http://[2001:DB8::1]:8080/a#x") == "http://[2001:db8::1]:8080/a"
    assert canonicalize_url("https://[::1]:443/") == "https://[::1]/"


def test_a_port_out_of_range_is_kept_as_written_for_the_fetch_to_refuse():
    assert canonicalize_url("http://Host:99999/x") == "http://host:99999/x"
