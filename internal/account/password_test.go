package account

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse", TestHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if ok, stale, err := checkPasswordHash("correct horse", h, TestHashParams); !ok || stale || err != nil {
		t.Fatalf("right password: ok=%v stale=%v err=%v", ok, stale, err)
	}
	if ok, _, _ := checkPasswordHash("correct horsE", h, TestHashParams); ok {
		t.Fatal("wrong password accepted")
	}
	if _, stale, _ := checkPasswordHash("correct horse", h, DefaultHashParams); !stale {
		t.Fatal("hash with other parameters not reported stale")
	}
	h2, _ := hashPassword("correct horse", TestHashParams)
	if h == h2 {
		t.Fatal("no salt: two hashes of one password are equal")
	}
	parts := strings.Split(h, "$")
	for name, bad := range map[string]string{
		"empty":     "",
		"bcrypt":    "$2a$10$abcdefghijklmnopqrstuu5Lr1cLoKVqRK2YBTaQKJ8h2e9H5aD2",
		"argon2i":   strings.Replace(h, "argon2id", "argon2i", 1),
		"version":   strings.Replace(h, "v=19", "v=16", 1),
		"params":    strings.Join([]string{"", parts[1], parts[2], "m=x,t=1,p=1", parts[4], parts[5]}, "$"),
		"zero time": strings.Join([]string{"", parts[1], parts[2], "m=64,t=0,p=1", parts[4], parts[5]}, "$"),
		"salt":      strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"no key":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$"),
	} {
		if ok, _, err := checkPasswordHash("correct horse", bad, TestHashParams); ok || err == nil {
			t.Errorf("%s: malformed hash accepted (ok=%v err=%v)", name, ok, err)
		}
	}
}
