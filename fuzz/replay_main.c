/* SPDX-License-Identifier: MIT */
/*
 * Standalone replay engine for the fuzz targets: runs LLVMFuzzerTestOneInput
 * over every file named on the command line (directories are walked one
 * level deep), so the seed corpus and any crash reproducer run in every test
 * build under the sanitizers, without libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return 1;
    }
    long size = ftell(f);
    rewind(f);
    /* Copy into an exactly-sized heap buffer so ASan catches any overread. */
    uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, failures = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *dir = opendir(argv[i]);
            struct dirent *entry;
            while (dir && (entry = readdir(dir)) != NULL) {
                if (entry->d_name[0] == '.') {
                    continue;
                }
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], entry->d_name);
                failures += run_file(path);
                files++;
            }
            if (dir) {
                closedir(dir);
            }
        } else {
            failures += run_file(argv[i]);
            files++;
        }
    }
    /* An empty corpus proves nothing: fail so a missing corpus is noticed. */
    if (files == 0) {
        fprintf(stderr, "replay: no inputs\n");
        return 1;
    }
    printf("replayed %d inputs, %d unreadable\n", files, failures);
    return failures ? 1 : 0;
}
