/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "omacpctl-output.h"
#include "omacpctl.h"

static void
usage(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: omacpctl [-t|--terse] [-f|--fields FIELD,...] [-j|--json] "
	          "[-d|--details] [--color WHEN] COMMAND [OPTION…]\n"
	          "\n"
	          "Decoding and encoding (no daemon needed):\n"
	          "  decode    decode a provisioning message and show what it configures\n"
	          "  encode    build signed provisioning SMS from an XML document, or write\n"
	          "            the document for a common case (--template)\n"
	          "  campaign  sign one document for a list of subscribers and send it\n"
	          "            through Kannel, resumably (the operator side)\n"
	          "\n"
	          "Talking to omacpd:\n"
	          "  list      the messages and profiles omacpd holds\n"
	          "  show      a message (with its changes and risks) or a profile\n"
	          "  accept    apply a message (--pin for USERPIN messages)\n"
	          "  reject    refuse a pending or quarantined message\n"
	          "  delete    delete a message from the store\n"
	          "  remove    remove a profile and what it configured\n"
	          "  undo      restore what an applied message changed\n"
	          "  deliver   hand a message to omacpd (USB modems without a modem stack)\n"
	          "  monitor   print what happens in omacpd until interrupted\n"
	          "  agent     answer PIN and confirmation requests on this terminal\n"
	          "\n"
	          "Exit status: 0 done, 1 failure, 2 malformed input, 3 authentication failed,\n"
	          "4 wrong PIN, 5 permission denied, 6 no such message or profile, 7 not\n"
	          "confirmed, 8 omacpd is not running.\n"
	          "\n"
	          "Run 'omacpctl COMMAND --help' for the options of a command; see "
	          "omacpctl(1).\n"));
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *prgname = NULL;
	const char *verb;
	int ret;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	/* nmcli-style output options may come before the command */
	if (!omacpctl_output_parse_global(&argc, &argv, &error)) {
		fprintf(stderr, "omacpctl: %s\n", error->message);
		return OMACPCTL_EXIT_FAILURE;
	}
	if (argc < 2) {
		usage(stderr);
		return OMACPCTL_EXIT_FAILURE;
	}
	verb = argv[1];
	if (g_str_equal(verb, "--help") || g_str_equal(verb, "-h") || g_str_equal(verb, "help")) {
		usage(stdout);
		return OMACPCTL_EXIT_OK;
	}
	if (g_str_equal(verb, "--version")) {
		printf("omacpctl %s\n", OMACP_VERSION);
		return OMACPCTL_EXIT_OK;
	}
	/* "Usage: omacpctl decode [OPTION…] FILE…": the verb once */
	prgname = g_strdup_printf("omacpctl %s", verb);
	g_set_prgname(prgname);
	if (g_str_equal(verb, "decode"))
		return omacpctl_decode_main(argc - 1, argv + 1);
	if (g_str_equal(verb, "encode"))
		return omacpctl_encode_main(argc - 1, argv + 1);
	if (g_str_equal(verb, "campaign"))
		return omacpctl_campaign_main(argc - 1, argv + 1);
	ret = omacpctl_client_main(verb, argc - 1, argv + 1);
	if (ret >= 0)
		return ret;
	fprintf(stderr, _("omacpctl: unknown command '%s'\n"), verb);
	usage(stderr);
	return OMACPCTL_EXIT_FAILURE;
}
