/* Unit tests for tmpl: exact output strings for every construct, every compile error with
 * its line number, partial limits, and loading a real folder tree. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "tmpl.h"

/* ---- helpers -------------------------------------------------------------------------- */

static void add(tmpl_set *set, const char *name, const char *src)
{
    char err[256] = "";
    int rc = tmpl_set_add(set, name, src, strlen(src), err, sizeof err);
    if (rc != 0)
        fail_msg("tmpl_set_add(%s): %s", name, err);
}

/* Renders name with the JSON text ctx_json (NULL for no context); returns the output
 * (caller frees) or NULL when rendering failed. */
static char *render(const tmpl_set *set, const char *name, const char *ctx_json)
{
    json_t *ctx = NULL;
    if (ctx_json) {
        json_error_t jerr;
        ctx = json_loads(ctx_json, JSON_DECODE_ANY, &jerr);
        if (!ctx)
            fail_msg("bad test JSON '%s': %s", ctx_json, jerr.text);
    }
    struct buf out = {0};
    int rc = tmpl_render(set, name, ctx, &out);
    json_decref(ctx);
    if (rc != 0) {
        buf_free(&out);
        return NULL;
    }
    return buf_detach(&out);
}

/* Compiles src as template "t" and renders it with ctx_json; asserts the output. */
static void check(const char *src, const char *ctx_json, const char *want)
{
    tmpl_set *set = tmpl_set_new();
    add(set, "t", src);
    char *got = render(set, "t", ctx_json);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    tmpl_set_free(set);
}

/* Asserts that compiling src as "t" fails with exactly the message want. */
static void check_error(const char *src, const char *want)
{
    tmpl_set *set = tmpl_set_new();
    char err[256] = "";
    assert_int_equal(tmpl_set_add(set, "t", src, strlen(src), err, sizeof err), -1);
    assert_string_equal(err, want);
    assert_false(tmpl_set_has(set, "t"));
    tmpl_set_free(set);
}

/* ---- escaping ------------------------------------------------------------------------- */

static void test_escape_all_five(void **state)
{
    (void)state;
    check("{{x}}", "{\"x\": \"&<>\\\"'\"}", "&amp;&lt;&gt;&quot;&#39;");
    check("a{{x}}b", "{\"x\": \"plain text, æøå\"}", "aplain text, æøåb");

    struct buf out = {0};
    tmpl_escape_html(&out, "x<y & 'z'", 9);
    assert_string_equal(out.data, "x&lt;y &amp; &#39;z&#39;");
    tmpl_escape_html(&out, "", 0);
    assert_string_equal(out.data, "x&lt;y &amp; &#39;z&#39;");
    buf_free(&out);
}

/* Long strings take another way through the escaper: every special character at the
 * start, in the middle and at the end of 32 to 70 bytes, none at all, and a NUL before
 * one, against the escaping done byte by byte here. */
static void test_escape_long(void **state)
{
    (void)state;
    static const char *const esc[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    static const char specials[] = "&<>\"'";
    for (size_t len = 32; len <= 70; len += 19) {
        for (size_t k = 0; k <= 5; k++) {
            for (size_t at = 0; at < len; at += len / 2 - 1) {
                char s[80];
                memset(s, 'a', len);
                if (k < 5)
                    s[at] = specials[k];
                if (k == 5 && at)
                    s[at - 1] = '\0'; /* an embedded NUL, nothing to escape */
                struct buf want = {0}, got = {0};
                for (size_t i = 0; i < len; i++) {
                    const char *p = strchr(specials, s[i]);
                    if (s[i] && p)
                        buf_puts(&want, esc[p - specials]);
                    else
                        buf_append(&want, &s[i], 1);
                }
                buf_putc(&got, '[');
                tmpl_escape_html(&got, s, len);
                assert_int_equal(got.len, want.len + 1);
                assert_memory_equal(got.data + 1, want.data, want.len);
                buf_free(&want);
                buf_free(&got);
            }
        }
    }
    /* several of them, one of each in reverse order after a long plain run */
    struct buf out = {0};
    tmpl_escape_html(&out, "plain plain plain plain plain plain '\"><&", 41);
    buf_putc(&out, '\0');
    assert_string_equal(out.data, "plain plain plain plain plain plain &#39;&quot;&gt;&lt;&amp;");
    buf_free(&out);
}

static void test_escape_xss_payload(void **state)
{
    (void)state;
    check("<p>{{name}}</p>", "{\"name\": \"<script>alert(\\\"pwned\\\")</script>\"}",
          "<p>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;</p>");
    check("<a title=\"{{t}}\">", "{\"t\": \"\\\" onmouseover=\\\"alert(1)\"}",
          "<a title=\"&quot; onmouseover=&quot;alert(1)\">");
    check("<a title='{{t}}'>", "{\"t\": \"' onfocus='alert(1)\"}",
          "<a title='&#39; onfocus=&#39;alert(1)'>");
    check("{{x}}", "{\"x\": \"<img src=x onerror=alert(1)>\"}",
          "&lt;img src=x onerror=alert(1)&gt;");
}

static void test_escape_embedded_nul(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "t", "[{{x}}]");
    json_t *ctx = json_pack("{s:s%}", "x", "a\0<", (size_t)3);
    assert_non_null(ctx);
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "t", ctx, &out), 0);
    assert_int_equal(out.len, 8);
    assert_memory_equal(out.data, "[a\0&lt;]", 8);
    buf_free(&out);
    json_decref(ctx);
    tmpl_set_free(set);
}

static void test_raw_not_escaped(void **state)
{
    (void)state;
    check("{{{x}}}", "{\"x\": \"<b>&amp;</b>\"}", "<b>&amp;</b>");
    check("{{{ x }}}|{{x}}", "{\"x\": \"<i>\"}", "<i>|&lt;i&gt;");
    check("{{{x}}}}", "{\"x\": \"<i>\"}", "<i>}");
    check("{{{n}}}", "{\"n\": 42}", "42");
    check("{{{a.b}}}", "{\"a\": {\"b\": \"<hr>\"}}", "<hr>");
}

/* ---- values and names ----------------------------------------------------------------- */

static void test_values(void **state)
{
    (void)state;
    check("{{i}}|{{n}}|{{big}}", "{\"i\": 42, \"n\": -7, \"big\": 9007199254740993}",
          "42|-7|9007199254740993");
    check("{{r}}|{{h}}|{{e}}", "{\"r\": 1.5, \"h\": 0.1, \"e\": 1e20}", "1.5|0.1|1e+20");
    check("[{{t}}][{{f}}][{{z}}]", "{\"t\": true, \"f\": false, \"z\": null}", "[true][][]");
    check("[{{o}}][{{a}}][{{missing}}]", "{\"o\": {\"k\": 1}, \"a\": [1, 2]}", "[][][]");
    check("[{{zero}}][{{zr}}][{{s}}]", "{\"zero\": 0, \"zr\": 0.0, \"s\": \"\"}", "[0][0][]");
    check("[{{x}}]", NULL, "[]");
    check("[{{.}}]", NULL, "[]");
    check("[{{.}}]", "\"top\"", "[top]");
    check("[{{.}}]", "{\"x\": 1}", "[]");
}

static void test_dotted_names(void **state)
{
    (void)state;
    const char *ctx = "{\"a\": {\"b\": {\"c\": \"deep\"}, \"s\": \"<x>\"}, \"b\": \"outer\"}";
    check("{{a.b.c}}|{{a.s}}|{{{a.s}}}", ctx, "deep|&lt;x&gt;|<x>");
    check("[{{a.x}}][{{a.b.c.d}}][{{nope.b}}][{{a.s.c}}]", ctx, "[][][][]");
    check("{{#a}}[{{b.c}}][{{s}}]{{/a}}", ctx, "[deep][&lt;x&gt;]");
    check("{{#a.b}}{{c}}{{/a.b}}", ctx, "deep");
    /* Once the first part is found, the rest is not looked up outward. */
    check("{{#inner}}[{{a.b}}]{{/inner}}", "{\"a\": {\"b\": 1}, \"inner\": {\"a\": {}}}",
          "[]");
}

static void test_whitespace_in_tags(void **state)
{
    (void)state;
    check("{{ x }}|{{\tx\n}}|{{{  x  }}}", "{\"x\": \"<v>\"}", "&lt;v&gt;|&lt;v&gt;|<v>");
    check("{{# s }}yes{{/ s }}{{ ^ s }}no{{ / s }}", "{\"s\": true}", "yes");
    check("{{#  s  }}{{ . }}{{/s}}", "{\"s\": [\"a\", \"b\"]}", "ab");
    check("{{ a.b }}", "{\"a\": {\"b\": 3}}", "3");

    tmpl_set *set = tmpl_set_new();
    add(set, "p", "P{{x}}");
    add(set, "t", "[{{>p}}][{{> p }}][{{ >\tp\n}}]");
    char *got = render(set, "t", "{\"x\": 1}");
    assert_non_null(got);
    assert_string_equal(got, "[P1][P1][P1]");
    free(got);
    tmpl_set_free(set);
}

static void test_text_passthrough(void **state)
{
    (void)state;
    check("", NULL, "");
    check("no tags at all\n", NULL, "no tags at all\n");
    check("a { b } {x} }} c", NULL, "a { b } {x} }} c");
    check("<style>p { color: red }</style>{{x}}", "{\"x\": 1}",
          "<style>p { color: red }</style>1");
    check("line 1\n{{x}}\nline 3\n", "{\"x\": \"two\"}", "line 1\ntwo\nline 3\n");
}

static void test_comments(void **state)
{
    (void)state;
    check("a{{! hidden }}b", NULL, "ab");
    check("a{{!}}b", NULL, "ab");
    check("a{{! spans\nthree\nlines {{x}} }}b", "{\"x\": 1}", "a }}b"); /* first }} ends it */
    check("a{{!\n multi\n line\n}}b{{x}}", "{\"x\": 2}", "ab2");
    check("{{ ! spaced }}x", NULL, "x");
}

/* ---- sections ------------------------------------------------------------------------- */

static void test_section_array_of_objects(void **state)
{
    (void)state;
    check("<ul>{{#items}}<li>{{n}}: {{t}}</li>{{/items}}</ul>",
          "{\"items\": [{\"n\": 1, \"t\": \"a<b\"}, {\"n\": 2, \"t\": \"c\"}]}",
          "<ul><li>1: a&lt;b</li><li>2: c</li></ul>");
    check("[{{#items}}x{{/items}}]", "{\"items\": []}", "[]");
}

static void test_section_array_of_strings(void **state)
{
    (void)state;
    check("{{#tags}}<i>{{.}}</i>{{/tags}}", "{\"tags\": [\"one\", \"<two>\", \"\"]}",
          "<i>one</i><i>&lt;two&gt;</i><i></i>");
    check("{{#tags}}{{{.}}},{{/tags}}", "{\"tags\": [\"<b>\", 3, 1.5, true, null]}",
          "<b>,3,1.5,true,,");
    check("{{#.}}[{{.}}]{{/.}}", "[\"a\", \"b\"]", "[a][b]");
}

static void test_section_lookup_walks_outward(void **state)
{
    (void)state;
    const char *ctx = "{\"title\": \"T\", \"who\": \"root\", \"items\": ["
                      "{\"n\": 1}, {\"n\": 2, \"who\": \"item\"}, \"str\"]}";
    check("{{#items}}{{n}}-{{title}}-{{who}};{{/items}}", ctx,
          "1-T-root;2-T-item;-T-root;");
    /* Outward through several levels, and the innermost shadows. */
    check("{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{z}}{{/c}}{{/b}}{{/a}}",
          "{\"x\": \"X0\", \"y\": \"Y0\", \"z\": \"Z0\", \"a\": {\"y\": \"Y1\","
          " \"b\": {\"z\": \"Z2\", \"c\": {\"z\": \"Z3\"}}}}",
          "X0Y1Z3");
    /* A name that is falsy in the element still shadows the outer one. */
    check("{{#items}}[{{v}}]{{/items}}", "{\"v\": \"outer\", \"items\": [{\"v\": false}]}",
          "[]");
}

static void test_section_truthiness(void **state)
{
    (void)state;
    check("{{#t}}yes{{/t}}", "{\"t\": true}", "yes");
    check("{{#s}}[{{.}}]{{/s}}", "{\"s\": \"<x>\"}", "[&lt;x&gt;]");
    check("{{#n}}[{{.}}]{{/n}}", "{\"n\": 5}", "[5]");
    check("{{#r}}[{{.}}]{{/r}}", "{\"r\": -0.5}", "[-0.5]");
    check("{{#o}}[{{k}}]{{/o}}", "{\"o\": {\"k\": \"v\"}}", "[v]");
    check("{{#o}}empty object is truthy{{/o}}", "{\"o\": {}}", "empty object is truthy");
    check("[{{#f}}x{{/f}}{{#z}}x{{/z}}{{#m}}x{{/m}}{{#e}}x{{/e}}{{#s}}x{{/s}}{{#i}}x{{/i}}"
          "{{#r}}x{{/r}}]",
          "{\"f\": false, \"z\": null, \"e\": [], \"s\": \"\", \"i\": 0, \"r\": 0.0}", "[]");
}

static void test_inverted_sections(void **state)
{
    (void)state;
    const char *src = "{{^v}}empty{{/v}}";
    check(src, "{}", "empty");
    check(src, NULL, "empty");
    check(src, "{\"v\": false}", "empty");
    check(src, "{\"v\": null}", "empty");
    check(src, "{\"v\": []}", "empty");
    check(src, "{\"v\": \"\"}", "empty");
    check(src, "{\"v\": 0}", "empty");
    check(src, "{\"v\": 0.0}", "empty");
    check(src, "{\"v\": true}", "");
    check(src, "{\"v\": \"x\"}", "");
    check(src, "{\"v\": 1}", "");
    check(src, "{\"v\": [0]}", "");
    check(src, "{\"v\": {}}", "");
    /* Inverted sections push nothing: names still resolve in the enclosing context. */
    check("{{^list}}no {{what}}{{/list}}", "{\"list\": [], \"what\": \"videos\"}",
          "no videos");
    check("{{#list}}<li>{{.}}</li>{{/list}}{{^list}}<p>none</p>{{/list}}",
          "{\"list\": [\"a\"]}", "<li>a</li>");
}

static void test_nested_sections(void **state)
{
    (void)state;
    check("{{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}",
          "{\"rows\": [{\"cells\": [1, 2]}, {\"cells\": []}, {\"cells\": [\"<3>\"]}]}",
          "<tr><td>1</td><td>2</td></tr><tr></tr><tr><td>&lt;3&gt;</td></tr>");
    check("{{#m}}{{#.}}{{.}}{{/.}};{{/m}}", "{\"m\": [[1, 2], [3], []]}", "12;3;;");
    check("{{#a}}{{#a}}{{x}}{{/a}}{{/a}}", "{\"a\": {\"a\": {\"x\": \"in\"}, \"x\": \"out\"}}",
          "in");
    check("{{#a}}A{{^b}}!b{{#c}}C{{/c}}{{/b}}{{/a}}", "{\"a\": true, \"c\": [1, 2]}",
          "A!bCC");
}

static void test_nesting_limit(void **state)
{
    (void)state;
    struct buf src = {0};
    for (int i = 0; i < 32; i++)
        buf_puts(&src, "{{#a}}");
    buf_puts(&src, "x");
    for (int i = 0; i < 32; i++)
        buf_puts(&src, "{{/a}}");
    check(src.data, "{\"a\": true}", "x");

    buf_reset(&src);
    for (int i = 0; i < 33; i++)
        buf_printf(&src, "%s{{#a}}", i == 32 ? "\n" : "");
    check_error(src.data, "t:2: sections nested deeper than 32");
    buf_free(&src);
}

/* ---- partials ------------------------------------------------------------------------- */

static void test_partials(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    /* The page is added before its partials: they are resolved at render time. */
    add(set, "page", "<main>{{> common/header}}{{#items}}{{> item}}{{/items}}</main>");
    add(set, "common/header", "<h1>{{title}}</h1>");
    add(set, "item", "<p>{{name}} of {{title}}</p>");
    char *got = render(set, "page",
                       "{\"title\": \"T&C\", \"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}");
    assert_non_null(got);
    assert_string_equal(got, "<main><h1>T&amp;C</h1><p>a of T&amp;C</p><p>b of T&amp;C</p></main>");
    free(got);

    /* Recursion that ends with the data is fine.  Leaves need "kids": [] of their own:
     * without it the lookup walks outward to the parent's kids and never ends. */
    add(set, "node", "{{name}}{{#kids}}({{> node}}){{/kids}}");
    got = render(set, "node",
                 "{\"name\": \"r\", \"kids\": [{\"name\": \"a\", \"kids\": [{\"name\": \"b\","
                 " \"kids\": []}]}, {\"name\": \"c\", \"kids\": []}]}");
    assert_non_null(got);
    assert_string_equal(got, "r(a(b))(c)");
    free(got);
    got = render(set, "node",
                 "{\"name\": \"r\", \"kids\": [{\"name\": \"a\"}]}");
    assert_null(got);
    tmpl_set_free(set);
}

static void test_partial_unknown(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "t", "a{{> nope}}b");
    assert_null(render(set, "t", NULL));
    /* A partial inside a section that is skipped is never looked up. */
    add(set, "u", "a{{#off}}{{> nope}}{{/off}}b");
    char *got = render(set, "u", "{\"off\": false}");
    assert_non_null(got);
    assert_string_equal(got, "ab");
    free(got);
    tmpl_set_free(set);
}

static void test_partial_depth_limit(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "self", "x{{> self}}");
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "self", NULL, &out), -1);
    buf_free(&out);

    /* p0 includes p1 ... includes p16: 16 levels of partials render. */
    char name[16], src[32];
    for (int i = 0; i < 16; i++) {
        snprintf(name, sizeof name, "p%d", i);
        snprintf(src, sizeof src, "%d{{> p%d}}", i, i + 1);
        add(set, name, src);
    }
    add(set, "p16", "end");
    char *got = render(set, "p0", NULL);
    assert_non_null(got);
    assert_string_equal(got, "0123456789101112131415end");
    free(got);

    /* One more level is refused. */
    add(set, "p16", "16{{> p17}}");
    add(set, "p17", "end");
    assert_null(render(set, "p0", NULL));
    assert_non_null(got = render(set, "p1", NULL));
    assert_string_equal(got, "12345678910111213141516end");
    free(got);
    tmpl_set_free(set);
}

/* ---- compile errors ------------------------------------------------------------------- */

static void test_error_unclosed_tag(void **state)
{
    (void)state;
    check_error("{{x", "t:1: unclosed tag (no '}}' after '{{')");
    check_error("a\nb\n  {{x }\n", "t:3: unclosed tag (no '}}' after '{{')");
    check_error("\n{{{x}}", "t:2: unclosed tag (no '}}}' after '{{{')");
    check_error("ok {{x}}\n{{", "t:2: unclosed tag (no '}}' after '{{')");
}

static void test_error_unclosed_section(void **state)
{
    (void)state;
    check_error("<ul>\n{{#videos}}\n<li>{{title}}</li>\n", "t:2: unclosed section 'videos'");
    check_error("{{#a}}{{/a}}\n{{^b}}", "t:2: unclosed section 'b'");
    check_error("{{#a}}\n{{#b}}{{/b}}", "t:1: unclosed section 'a'");
}

static void test_error_mismatched_close(void **state)
{
    (void)state;
    check_error("{{#a}}\n{{#b}}\n{{/a}}{{/b}}",
                "t:3: mismatched close 'a' for section 'b' opened on line 2");
    check_error("{{^a.b}}{{/a}}", "t:1: mismatched close 'a' for section 'a.b' opened on line 1");
}

static void test_error_stray_close(void **state)
{
    (void)state;
    check_error("x\n\n{{/a}}", "t:3: stray close 'a'");
    check_error("{{#a}}{{/a}}\n{{/a}}", "t:2: stray close 'a'");
}

static void test_error_empty_name(void **state)
{
    (void)state;
    check_error("{{}}", "t:1: empty name in tag");
    check_error("\n{{  }}", "t:2: empty name in tag");
    check_error("{{{ }}}", "t:1: empty name in tag");
    check_error("{{#}}{{/}}", "t:1: empty name in tag");
    check_error("{{^ }}", "t:1: empty name in tag");
    check_error("a\n{{/}}", "t:2: empty name in tag");
    check_error("{{>}}", "t:1: empty name in tag");
}

static void test_error_invalid_name(void **state)
{
    (void)state;
    check_error("{{a b}}", "t:1: invalid name 'a b'");
    check_error("{{a..b}}", "t:1: invalid name 'a..b'");
    check_error("{{.a}}", "t:1: invalid name '.a'");
    check_error("\n{{a.}}", "t:2: invalid name 'a.'");
    check_error("{{{#a}}}", "t:1: invalid name '#a'");
    check_error("{{> a b}}", "t:1: invalid name 'a b'");
    check_error("{{&x}}", "t:1: invalid name '&x'");
}

static void test_error_line_after_comment(void **state)
{
    (void)state;
    check_error("{{! one\ntwo\nthree }}\n{{/x}}", "t:4: stray close 'x'");
}

static void test_error_names_template(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    char err[128] = "";
    const char *src = "<h1>{{title}}</h1>\n"
                      "\n\n\n\n\n\n\n\n\n\n"
                      "{{#videos}}<li>{{name}}</li>\n";
    assert_int_equal(tmpl_set_add(set, "citizen/video", src, strlen(src), err, sizeof err), -1);
    assert_string_equal(err, "citizen/video:12: unclosed section 'videos'");
    /* A short error buffer truncates, a missing one is fine. */
    char tiny[8];
    assert_int_equal(tmpl_set_add(set, "citizen/video", src, strlen(src), tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "citizen");
    assert_int_equal(tmpl_set_add(set, "citizen/video", src, strlen(src), NULL, 0), -1);
    assert_int_equal(tmpl_set_add(set, "", "x", 1, err, sizeof err), -1);
    assert_int_equal(tmpl_set_add(set, NULL, "x", 1, err, sizeof err), -1);
    tmpl_set_free(set);
}

/* ---- the set -------------------------------------------------------------------------- */

static void test_unknown_template(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "missing", NULL, &out), -1);
    assert_int_equal(out.len, 0);
    assert_false(tmpl_set_has(set, "missing"));
    add(set, "present", "x");
    assert_int_equal(tmpl_render(set, "presen", NULL, &out), -1);
    assert_int_equal(tmpl_render(set, "present", NULL, &out), 0);
    assert_string_equal(out.data, "x");
    buf_free(&out);
    tmpl_set_free(set);
    tmpl_set_free(NULL);
}

static void test_render_appends(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "t", "<{{x}}>");
    struct buf out = {0};
    buf_puts(&out, "before");
    json_t *ctx = json_pack("{s:s}", "x", "1");
    assert_int_equal(tmpl_render(set, "t", ctx, &out), 0);
    assert_int_equal(tmpl_render(set, "t", ctx, &out), 0);
    assert_string_equal(out.data, "before<1><1>");
    json_decref(ctx);
    buf_free(&out);
    tmpl_set_free(set);
}

static void test_replace_by_name(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "t", "old {{x}}");
    add(set, "t", "new {{x}}");
    char *got = render(set, "t", "{\"x\": 1}");
    assert_string_equal(got, "new 1");
    free(got);

    /* A failed compile leaves the old template in place. */
    char err[128];
    assert_int_equal(tmpl_set_add(set, "t", "{{#broken}}", 11, err, sizeof err), -1);
    got = render(set, "t", "{\"x\": 2}");
    assert_string_equal(got, "new 2");
    free(got);

    /* src need not be NUL-terminated: only len bytes count. */
    assert_int_equal(tmpl_set_add(set, "t", "abc{{x}}", 3, err, sizeof err), 0);
    got = render(set, "t", "{\"x\": 3}");
    assert_string_equal(got, "abc");
    free(got);
    tmpl_set_free(set);
}

static void test_many_templates(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    char name[32], src[64];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "page/%d", i);
        snprintf(src, sizeof src, "%d:{{> page/%d}}", i, i + 1);
        add(set, name, src);
    }
    add(set, "page/500", "end");
    for (int i = 0; i <= 500; i++) {
        snprintf(name, sizeof name, "page/%d", i);
        assert_true(tmpl_set_has(set, name));
    }
    assert_false(tmpl_set_has(set, "page/501"));
    char *got = render(set, "page/490", NULL);
    assert_non_null(got);
    assert_string_equal(got, "490:491:492:493:494:495:496:497:498:499:end");
    free(got);
    tmpl_set_free(set);
}

/* ---- loading a folder ----------------------------------------------------------------- */

static void write_file(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void remove_path(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(remove(path), 0);
}

static void test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_tmpl.XXXXXX";
    assert_non_null(mkdtemp(dir));
    make_dir(dir, "citizen");
    make_dir(dir, "citizen/parts");
    write_file(dir, "layout.html", "<body>{{> citizen/parts/nav}}{{{content}}}</body>\n");
    write_file(dir, "citizen/video.html", "<h1>{{title}}</h1>{{> layout}}");
    write_file(dir, "citizen/parts/nav.html", "<nav>{{who}}</nav>");
    write_file(dir, "citizen/notes.txt", "{{#not a template");
    write_file(dir, "citizen/.hidden.html", "{{#not loaded");
    write_file(dir, "citizen/html", "not .html");

    tmpl_set *set = tmpl_set_new();
    char err[512] = "";
    int rc = tmpl_set_load_dir(set, dir, err, sizeof err);
    if (rc != 0)
        fail_msg("load_dir: %s", err);
    assert_true(tmpl_set_has(set, "layout"));
    assert_true(tmpl_set_has(set, "citizen/video"));
    assert_true(tmpl_set_has(set, "citizen/parts/nav"));
    assert_false(tmpl_set_has(set, "citizen/notes"));
    assert_false(tmpl_set_has(set, "citizen/.hidden"));
    assert_false(tmpl_set_has(set, "citizen/video.html"));
    assert_false(tmpl_set_has(set, "citizen/html"));
    char *got = render(set, "citizen/video",
                       "{\"title\": \"Velkommen\", \"who\": \"Åse\", \"content\": \"<p>hi</p>\"}");
    assert_non_null(got);
    assert_string_equal(got, "<h1>Velkommen</h1><body><nav>Åse</nav><p>hi</p></body>\n");
    free(got);

    /* A trailing slash on the folder gives the same names. */
    char slash[64];
    snprintf(slash, sizeof slash, "%s/", dir);
    write_file(dir, "citizen/parts/nav.html", "<nav>v2 {{who}}</nav>");
    assert_int_equal(tmpl_set_load_dir(set, slash, err, sizeof err), 0);
    got = render(set, "citizen/parts/nav", "{\"who\": \"x\"}");
    assert_string_equal(got, "<nav>v2 x</nav>");
    free(got);

    /* A broken file fails the load, naming the template and line. */
    write_file(dir, "citizen/parts/bad.html", "ok\n{{/oops}}\n");
    assert_int_equal(tmpl_set_load_dir(set, dir, err, sizeof err), -1);
    assert_string_equal(err, "citizen/parts/bad:2: stray close 'oops'");
    tmpl_set_free(set);

    remove_path(dir, "citizen/parts/bad.html");
    remove_path(dir, "citizen/parts/nav.html");
    remove_path(dir, "citizen/parts");
    remove_path(dir, "citizen/video.html");
    remove_path(dir, "citizen/notes.txt");
    remove_path(dir, "citizen/.hidden.html");
    remove_path(dir, "citizen/html");
    remove_path(dir, "citizen");
    remove_path(dir, "layout.html");
    assert_int_equal(rmdir(dir), 0);
}

static void test_load_dir_missing(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    char err[256] = "";
    assert_int_equal(tmpl_set_load_dir(set, "/nonexistent/tmpl/dir", err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/tmpl/dir: No such file or directory");
    tmpl_set_free(set);
}

/* ---- bound values (tmpl_set_bind) ----------------------------------------------------- */

/* Renders every template of srcs (name, source pairs) with ctx_json + "t": strings, once in
 * a plain set and once in a set with the strings bound (twice: the copy is made on the
 * first render); all three outputs are equal and equal to want[i]. */
static void check_bound(const char *const *srcs, size_t n, const char *strings,
                        const char *ctx_json, const char *const *want)
{
    json_error_t jerr;
    json_t *t = json_loads(strings, 0, &jerr);
    json_t *ctx = json_loads(ctx_json, 0, &jerr);
    assert_non_null(t);
    assert_non_null(ctx);
    json_object_set(ctx, "t", t);
    tmpl_set *plain = tmpl_set_new(), *bound = tmpl_set_new();
    for (size_t i = 0; i < n; i++) {
        add(plain, srcs[2 * i], srcs[2 * i + 1]);
        add(bound, srcs[2 * i], srcs[2 * i + 1]);
    }
    assert_int_equal(tmpl_set_bind(bound, "t", t), 0);
    assert_int_equal(tmpl_set_bind(bound, "t", t), 0); /* again: nothing new */
    for (size_t i = 0; i < n; i++) {
        struct buf a = {0}, b = {0}, c = {0};
        assert_int_equal(tmpl_render(plain, srcs[2 * i], ctx, &a), 0);
        assert_int_equal(tmpl_render(bound, srcs[2 * i], ctx, &b), 0);
        assert_int_equal(tmpl_render(bound, srcs[2 * i], ctx, &c), 0);
        buf_putc(&a, '\0');
        buf_putc(&b, '\0');
        buf_putc(&c, '\0');
        assert_string_equal(a.data, want[i]);
        assert_string_equal(b.data, want[i]);
        assert_string_equal(c.data, want[i]);
        buf_free(&a);
        buf_free(&b);
        buf_free(&c);
    }
    tmpl_set_free(plain);
    tmpl_set_free(bound);
    json_decref(ctx);
    json_decref(t);
}

static void test_bind_same_bytes(void **state)
{
    (void)state;
    static const char *const srcs[] = {
        "page",
        "<h1>{{t.title}}</h1>{{#items}}<p>{{t.item}} {{n}}: {{name}}</p>{{/items}}"
        "{{#t.empty}}never{{/t.empty}}{{^t.empty}}[{{t.raw_html}}|{{{t.raw_html}}}]{{/t.empty}}"
        "{{^t.title}}never{{/t.title}}{{#t.title}}<{{.}}>{{/t.title}}{{t.missing}}{{t.n}}"
        "{{t.deep.er}}{{#t.list}}({{.}}){{/t.list}}{{t}}{{> part}}{{dyn}}",
        "part",
        "{{#flag}}{{t.item}}{{/flag}}{{^flag}}-{{t.title}}-{{/flag}}",
    };
    static const char *const want[] = {
        "<h1>A &amp; B</h1><p>Item 1: x</p><p>Item 2: &lt;y&gt;</p>"
        "[&lt;b&gt;|<b>]<A &amp; B>42deep(1)(2)-A &amp; B-dynamic",
        "-A &amp; B-",
    };
    check_bound(srcs, 2,
                "{\"title\": \"A & B\", \"item\": \"Item\", \"empty\": \"\", \"raw_html\": \"<b>\","
                " \"n\": 42, \"deep\": {\"er\": \"deep\"}, \"list\": [1, 2]}",
                "{\"items\": [{\"n\": 1, \"name\": \"x\"}, {\"n\": 2, \"name\": \"<y>\"}],"
                " \"dyn\": \"dynamic\"}",
                want);
}

static void test_bind_other_value_is_plain(void **state)
{
    (void)state;
    tmpl_set *set = tmpl_set_new();
    add(set, "p", "{{t.a}}");
    json_t *bound = json_pack("{s:s}", "a", "bound"), *other = json_pack("{s:s}", "a", "other");
    assert_int_equal(tmpl_set_bind(set, "t", bound), 0);
    assert_int_equal(tmpl_set_bind(set, "u", bound), -1); /* one key per set */
    assert_int_equal(tmpl_set_bind(set, "t.x", bound), -1);
    json_t *ctx = json_pack("{s:O}", "t", other);
    struct buf out = {0};
    assert_int_equal(tmpl_render(set, "p", ctx, &out), 0);
    buf_putc(&out, '\0');
    assert_string_equal(out.data, "other");
    /* bound: no more templates */
    char err[128] = "";
    assert_int_equal(tmpl_set_add(set, "q", "x", 1, err, sizeof err), -1);
    buf_free(&out);
    json_decref(ctx);
    json_decref(bound);
    json_decref(other);
    tmpl_set_free(set);
}

/* ---- pre-rendering against fixed values (tmpl_prerender) ------------------------------ */

/* A JSON scalar as a value given by position (false and null are missing). */
static struct tmpl_val val_of(const json_t *v)
{
    struct tmpl_val tv = {0};
    if (json_is_true(v)) {
        tv.kind = TMPL_VAL_TRUE;
    } else if (json_is_integer(v)) {
        tv.kind = TMPL_VAL_INT;
        tv.i = json_integer_value(v);
    } else if (json_is_string(v)) {
        tv.kind = TMPL_VAL_STR;
        tv.s = json_string_value(v);
        tv.len = json_string_length(v);
    } else {
        assert_true(!v || json_is_false(v) || json_is_null(v));
    }
    return tv;
}

/* Renders src with fixed_json's values where fixed has holes filled from dyn_json, and
 * pre-rendered with dyn_json: both equal want (unless want is NULL: pre-rendering must
 * refuse). */
static void check_pre(const char *src, const char *fixed_json, const char *dyn_json,
                      const char *want)
{
    json_error_t jerr;
    tmpl_set *set = tmpl_set_new();
    add(set, "t", src);
    add(set, "part", "[{{label}}:{{#on}}on{{/on}}]");
    json_t *dyn = json_loads(dyn_json, 0, &jerr);
    assert_non_null(dyn);
    /* "?name" strings in fixed_json are holes: one fixed with holes, one with the values */
    json_t *fixed = json_loads(fixed_json, 0, &jerr), *full = json_loads(fixed_json, 0, &jerr);
    assert_non_null(fixed);
    struct {
        json_t *obj;
        int holes;
    } walk[2] = {{fixed, 1}, {full, 0}};
    for (int w = 0; w < 2; w++) {
        json_t *stack[64];
        size_t depth = 0;
        stack[depth++] = walk[w].obj;
        while (depth) {
            json_t *o = stack[--depth];
            if (json_is_array(o)) {
                for (size_t i = 0; i < json_array_size(o); i++) {
                    const char *sv = json_string_value(json_array_get(o, i));
                    json_t *val = sv && sv[0] == '?' ? json_object_get(dyn, sv + 1) : NULL;
                    if (sv && sv[0] == '?')
                        json_array_set_new(o, i, walk[w].holes ? tmpl_hole(sv + 1)
                                                               : (val ? json_incref(val) : json_false()));
                    else
                        stack[depth++] = json_array_get(o, i);
                }
                continue;
            }
            if (!json_is_object(o))
                continue;
            const char *k;
            json_t *v;
            void *tmp;
            json_object_foreach_safe(o, tmp, k, v) {
                const char *sv = json_string_value(v);
                if (sv && sv[0] == '?') {
                    json_t *val = json_object_get(dyn, sv + 1);
                    json_object_set_new(o, k, walk[w].holes ? tmpl_hole(sv + 1)
                                                            : (val ? json_incref(val) : json_false()));
                } else {
                    stack[depth++] = v;
                }
            }
        }
    }
    /* the plain render: fixed's values with the holes filled, and dyn's other members */
    json_t *root = json_deep_copy(full);
    const char *k;
    json_t *v;
    json_object_foreach(dyn, k, v) {
        if (!json_object_get(root, k))
            json_object_set(root, k, v);
    }
    tmpl_pre *pre = tmpl_prerender(set, "t", NULL, fixed);
    if (!want) {
        assert_null(pre);
    } else {
        struct buf a = {0}, b = {0};
        assert_non_null(pre);
        assert_int_equal(tmpl_render(set, "t", root, &a), 0);
        assert_int_equal(tmpl_pre_render(set, pre, dyn, &b), 0);
        buf_putc(&a, '\0');
        buf_putc(&b, '\0');
        assert_string_equal(a.data, want);
        assert_string_equal(b.data, want);
        /* the holes by position: their values in an array, the rest by name as before */
        struct buf c = {0};
        struct tmpl_val vals[32];
        assert_true(tmpl_pre_holes(pre) <= 32);
        assert_null(tmpl_pre_hole_name(pre, tmpl_pre_holes(pre)));
        for (size_t i = 0; i < tmpl_pre_holes(pre); i++)
            vals[i] = val_of(json_object_get(dyn, tmpl_pre_hole_name(pre, i)));
        assert_int_equal(tmpl_pre_render_at(set, pre, dyn, vals, NULL, NULL, 0, &c), 0);
        buf_putc(&c, '\0');
        assert_string_equal(c.data, want);
        buf_free(&a);
        buf_free(&b);
        buf_free(&c);
    }
    tmpl_pre_free(pre);
    json_decref(root);
    json_decref(full);
    json_decref(fixed);
    json_decref(dyn);
    tmpl_set_free(set);
}

static void test_prerender_same_bytes(void **state)
{
    (void)state;
    /* fixed texts, an unrolled list with a hole per element, a hole as a section, an
     * inverted hole, dynamic root values inside fixed sections, a scalar hole pushed as "." */
    check_pre("<h1>{{title}}</h1>{{#items}}<li>{{name}}{{#picked}} *{{name}}*{{/picked}}"
              "{{^picked}}-{{/picked}}{{csrf}}{{/items}}{{#media}}<v src=\"{{.}}\" n={{n}}>{{/media}}"
              "{{^media}}none{{/media}}{{#errors}}<e>{{field}}</e>{{/errors}}{{count}}{{> part}}",
              "{\"title\": \"A & B\", \"n\": 3, \"label\": \"L\", \"on\": \"?on\","
              " \"items\": [{\"name\": \"x\", \"picked\": \"?p0\"}, {\"name\": \"<y>\", \"picked\": \"?p1\"}],"
              " \"media\": \"?m\"}",
              "{\"csrf\": \"tok\", \"p1\": true, \"m\": \"/media/a&b.mp4\", \"count\": 0,"
              " \"errors\": [{\"field\": \"f1\"}, {\"field\": \"f2\"}], \"on\": true}",
              "<h1>A &amp; B</h1><li>x-tok<li>&lt;y&gt; *&lt;y&gt;*tok"
              "<v src=\"/media/a&amp;b.mp4\" n=3><e>f1</e><e>f2</e>0[L:on]");
    /* missing holes are false */
    check_pre("{{#items}}{{#on}}1{{/on}}{{^on}}0{{/on}}{{on}}{{/items}}",
              "{\"items\": [{\"on\": \"?a\"}, {\"on\": \"?b\"}]}", "{\"b\": true}", "01true");
}

static void test_prerender_holes_by_position(void **state)
{
    (void)state;
    /* numbers and strings as sections (pushed, shown as "."), zero and "" skipped, a hole
     * nested in another's section, one hole used in several places */
    check_pre("{{#n}}({{.}}){{/n}}{{#z}}no{{/z}}{{^z}}zero{{/z}}{{#s}}[{{.}}|{{{.}}}]{{/s}}"
              "{{#e}}no{{/e}}{{^e}}empty{{/e}}{{#n}}{{#s}}<{{.}}>{{/s}}{{n}}{{/n}}{{neg}}{{t}}",
              "{\"n\": \"?n\", \"z\": \"?z\", \"s\": \"?s\", \"e\": \"?e\", \"neg\": \"?neg\","
              " \"t\": \"?t\"}",
              "{\"n\": 42, \"z\": 0, \"s\": \"a<b\", \"e\": \"\", \"neg\": -7, \"t\": true}",
              "(42)zero[a&lt;b|a<b]empty<a&lt;b>42-7true");
    /* the holes' numbers: in the order they first occur, each name once */
    tmpl_set *set = tmpl_set_new();
    add(set, "t", "{{b}}{{a}}{{b}}<main>{{{body}}}</main>{{x}}");
    json_t *fixed = json_pack("{s:o, s:o, s:o}", "a", tmpl_hole("ha"), "b", tmpl_hole("hb"),
                              "body", tmpl_hole("body"));
    tmpl_pre *pre = tmpl_prerender(set, "t", NULL, fixed);
    assert_non_null(pre);
    assert_int_equal(tmpl_pre_holes(pre), 3);
    assert_string_equal(tmpl_pre_hole_name(pre, 0), "hb");
    assert_string_equal(tmpl_pre_hole_name(pre, 1), "ha");
    assert_string_equal(tmpl_pre_hole_name(pre, 2), "body");
    /* a hole left missing that the render gives as bytes (the layout's body), and a name
     * that is no hole from ctx */
    struct tmpl_val vals[3] = {{.kind = TMPL_VAL_INT, .i = 2}, {.kind = TMPL_VAL_STR, .s = "&", .len = 1}, {0}};
    json_t *ctx = json_pack("{s:s}", "x", "X");
    struct buf b = {0};
    assert_int_equal(tmpl_pre_render_at(set, pre, ctx, vals, "body", "<p>raw</p>", 10, &b), 0);
    buf_putc(&b, '\0');
    assert_string_equal(b.data, "2&amp;2<main><p>raw</p></main>X");
    buf_free(&b);
    json_decref(ctx);
    tmpl_pre_free(pre);
    json_decref(fixed);
    tmpl_set_free(set);
}

static void test_prerender_repeated_names(void **state)
{
    (void)state;
    /* a name looked up many times: at the root the same answer each time (a hole, a
     * dynamic value, a missing one, a dotted one), inside a section that pushes an element
     * the element's own member first, and the root's again after the section */
    check_pre("{{x}}{{#list}}{{x}}{{/list}}{{x}}{{^x}}no{{/x}}{{#x}}yes{{/x}}"
              "{{h}}{{#list}}[{{p.a}}]{{/list}}{{h}}{{^h}}-{{/h}}"
              "{{gone}}{{^gone}}none{{/gone}}{{^gone}}none{{/gone}}"
              "{{p.a}}{{#list}}{{p.a}}{{/list}}{{p.a}}{{#hs}}<{{.}}>{{/hs}}{{#hs}}<{{.}}>{{/hs}}",
              "{\"h\": \"?h\", \"hs\": \"?h\"}",
              "{\"x\": \"root\", \"h\": \"H\", \"p\": {\"a\": \"pa\"},"
              " \"list\": [{\"x\": \"inner\", \"p\": {\"a\": \"ipa\"}}, {}]}",
              "rootinnerrootrootyesH[ipa][pa]Hnonenonepaipapapa<H><H>");
}

static void test_prerender_refuses_when_unsure(void **state)
{
    (void)state;
    /* inside a dynamic list, a name a fixed section frame also has: the list element
     * might hide it or not, so no pre-rendering */
    check_pre("{{#items}}{{#rows}}{{name}}{{/rows}}{{/items}}",
              "{\"items\": [{\"name\": \"fixed\"}]}", "{\"rows\": [{\"name\": \"row\"}]}", NULL);
    /* an array element that is a hole */
    check_pre("{{#items}}{{.}}{{/items}}", "{\"items\": [\"?a\"]}", "{\"a\": 1}", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_all_five),
        cmocka_unit_test(test_escape_xss_payload),
        cmocka_unit_test(test_escape_long),
        cmocka_unit_test(test_escape_embedded_nul),
        cmocka_unit_test(test_raw_not_escaped),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_whitespace_in_tags),
        cmocka_unit_test(test_text_passthrough),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_section_array_of_objects),
        cmocka_unit_test(test_section_array_of_strings),
        cmocka_unit_test(test_section_lookup_walks_outward),
        cmocka_unit_test(test_section_truthiness),
        cmocka_unit_test(test_inverted_sections),
        cmocka_unit_test(test_nested_sections),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_partial_unknown),
        cmocka_unit_test(test_partial_depth_limit),
        cmocka_unit_test(test_error_unclosed_tag),
        cmocka_unit_test(test_error_unclosed_section),
        cmocka_unit_test(test_error_mismatched_close),
        cmocka_unit_test(test_error_stray_close),
        cmocka_unit_test(test_error_empty_name),
        cmocka_unit_test(test_error_invalid_name),
        cmocka_unit_test(test_error_line_after_comment),
        cmocka_unit_test(test_error_names_template),
        cmocka_unit_test(test_unknown_template),
        cmocka_unit_test(test_render_appends),
        cmocka_unit_test(test_replace_by_name),
        cmocka_unit_test(test_many_templates),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_load_dir_missing),
        cmocka_unit_test(test_bind_same_bytes),
        cmocka_unit_test(test_bind_other_value_is_plain),
        cmocka_unit_test(test_prerender_same_bytes),
        cmocka_unit_test(test_prerender_repeated_names),
        cmocka_unit_test(test_prerender_holes_by_position),
        cmocka_unit_test(test_prerender_refuses_when_unsure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
