/* placeholder */
#include "omacpctl.h"

int
omacpctl_decode_main(int argc, char **argv)
{
	return OMACPCTL_EXIT_FAILURE;
}
