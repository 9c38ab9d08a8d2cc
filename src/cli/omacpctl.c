/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "omacpctl.h"

static void
usage(FILE *out)
{
	fprintf(out, "%s",
	        _("Usage: omacpctl COMMAND [OPTIONS...]\n"
	          "\n"
	          "Decoding and encoding (no daemon needed):\n"
	          "  decode [--format F] [--imsi IMSI] [--pin PIN] [--json] FILE...\n"
	          "                      decode a provisioning message and show what it "
	          "configures\n"
	          "  encode [--sec S] [--imsi IMSI] [--pin PIN] [--output O] DOC.xml\n"
	          "                      build signed provisioning SMS from an XML document\n"
	          "  encode --template internet|mms|wlan ...\n"
	          "                      write the XML document for a common case\n"
	          "\n"
	          "Talking to omacpd:\n"
	          "  list, show, accept, reject, delete, remove, undo, deliver, monitor, agent\n"
	          "\n"
	          "Run 'omacpctl COMMAND --help' for the options of a command.\n"));
}

int
main(int argc, char **argv)
{
	const char *verb;
	int ret;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

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
