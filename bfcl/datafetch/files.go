package datafetch

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"strings"
)

// Upstream locations of the BFCL v4 data.
const (
	// DefaultBaseURL serves raw files of GitHub repositories by commit.
	DefaultBaseURL = "https://raw.githubusercontent.com/ShishirPatil/gorilla"
	// BFCLCommit is the pinned upstream commit of the BFCL v4 data.
	BFCLCommit = "6ea57973c7a6097fd7c5915698c54c17c5b1b6c8"
	// bfclDataDir is the data folder inside the upstream repository.
	bfclDataDir = "berkeley-function-call-leaderboard/bfcl_eval/data/"
)

// bfclFiles lists the upstream files of the BFCL v4 data set with their
// size in bytes and sha256. Paths are relative to upstream
// bfcl_eval/data/, except LICENSE, which is the repository's root licence.
var bfclFiles = []struct {
	path   string
	size   int64
	sha256 string
}{
	{"BFCL_v4_simple_python.json", 283274, "82dd63ba502eb2520c6b5d1d9a5c4b590e03ff261565175561f6228a367d1991"},
	{"BFCL_v4_simple_java.json", 86619, "13d2303a125b08754f0e41995b9273b5005fa8ed8ebfaa24ef53b4d83c4b5c6e"},
	{"BFCL_v4_simple_javascript.json", 47063, "329e67fedf79a6243d93dbda4b388d12bd2d31f1f2163d92cb6ef676d1764f44"},
	{"BFCL_v4_multiple.json", 316583, "aef168155ebd74b7ac2401198b201343bc7d16d7a3d7e0d4e6d8ee82c6969b2a"},
	{"BFCL_v4_parallel.json", 171896, "19f51a82eff42e5d62541aa500115a056eb78f437c2ba1f10415fd7c8e5dda84"},
	{"BFCL_v4_parallel_multiple.json", 347080, "8863ea8433239f55c5f016154cf0830853c89f693c6ea270396a2fa121960579"},
	{"BFCL_v4_irrelevance.json", 159940, "2b6ed4c2e992cdcf5f1678a701851f944bef7550ee026ed1ddb89efed5be01a6"},
	{"BFCL_v4_live_simple.json", 260140, "1af2ac87dca47556db7b7e37e51e28b459a38b594e3c7b3c792b4903598ca0c4"},
	{"BFCL_v4_live_multiple.json", 3891277, "fd8ccfad4d911420d0e3341dbe2fff77d1d341da934248b9bb2bda24ab3a10c8"},
	{"BFCL_v4_live_parallel.json", 15649, "6c26e9fdc3350cf596e6d1ea9c179cbff834761bccf562f4141ed29a839ca421"},
	{"BFCL_v4_live_parallel_multiple.json", 82332, "21d4b9319c1faac431e22757b367ea28917fe467364c3a4b17f16ec06d4f6e79"},
	{"BFCL_v4_live_irrelevance.json", 2209534, "6559fda2beaceb609a2cd2e504c65b4a56cb448e1ef88fddfd199e163d163349"},
	{"BFCL_v4_live_relevance.json", 47327, "e03f9e241657a137cba48a89ee12f47bf3fcb7e4f6274263e9c699a0c974203a"},
	{"BFCL_v4_format_sensitivity.json", 4963, "1e7ebd0ec441198d3f7d3b60be73d0c9eba54094d2c3731b830f5da7a2c63c19"},
	{"possible_answer/BFCL_v4_simple_python.json", 63627, "90cd5bc653690ee8e459b5b3f3fc9458606f7f3fcbf795bb51b7dc581f8c86dc"},
	{"possible_answer/BFCL_v4_simple_java.json", 16407, "78f25616084044fa05bbfcee68e03f6ececb222bdd5cb3b7783a675fb3366e35"},
	{"possible_answer/BFCL_v4_simple_javascript.json", 7881, "e2f9f2e51d88e0c8056ffbf1a3dd3d02eb032532d2b5d98c9cc9003385bdd56b"},
	{"possible_answer/BFCL_v4_multiple.json", 32254, "244e00ce9395df948bcafc7bee64e8f9c87ef70887587d83cae45b13699f3047"},
	{"possible_answer/BFCL_v4_parallel.json", 66005, "8a6aa19c1adddc6a5a2f7e40f9dbf30cc7e95815e7b830c90589ab318229e0f0"},
	{"possible_answer/BFCL_v4_parallel_multiple.json", 74602, "5ebf24f458c1f16300c05505d83d6f0a1b68b79be273a033febd0d4f840507e3"},
	{"possible_answer/BFCL_v4_live_simple.json", 46972, "fec9cfa9744a936f9126981e85a2023da1e63e273eafebc81923a1162fad70ce"},
	{"possible_answer/BFCL_v4_live_multiple.json", 199668, "97e90d59c5bd76c55a2920ce93e5566e9046307d3f558578f085f9d3a56c3084"},
	{"possible_answer/BFCL_v4_live_parallel.json", 4972, "8a9f189ff0e832ebbbbdade1fd95a7dbcc67406e9177df3f0aad76f59ab00350"},
	{"possible_answer/BFCL_v4_live_parallel_multiple.json", 7420, "f5b5f360556c5feb51db46fb9f56ee4b304f4b45b161599bbb14161c98a2873f"},
	{"BFCL_v4_memory.json", 33237, "40fc21d4528af53c6b44204def89e81515d0101654229e2c2e82bbf5f047b14f"},
	{"BFCL_v4_multi_turn_base.json", 390425, "1a21a995d06fd6f20ba55de7bced30ef953ec35e998f502ec2ecf4d66ef1c43a"},
	{"BFCL_v4_multi_turn_long_context.json", 392016, "78c3268c5cc8e97c0f4ec6c811b3b9a2bba14323b1830b7a874b06d822749324"},
	{"BFCL_v4_multi_turn_miss_func.json", 401159, "87d28ce10e37d864b72de85d5732eef2a867b241d6c1c99b4ae682c9e3ea921c"},
	{"BFCL_v4_multi_turn_miss_param.json", 402974, "f0c66dda3795f5f53e3e1c0cc8ba0246b6761c8f58bdba8317203bf451ab8838"},
	{"BFCL_v4_web_search.json", 36984, "6fc41d96d003dc849028966a782923560d2fc127ed2088aa967f06daaafa4268"},
	{"LICENSE", 11357, "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4"},
	{"memory_prereq_conversation/memory_customer.json", 74686, "806ac91e558e3d933e526ecc0c286e417657f76a3c9b9073eef830a532eb4eb2"},
	{"memory_prereq_conversation/memory_finance.json", 32819, "3cef1f235667f479b8f45c7082247454b2129ee88fe4fbcdbc53fd2cdf495b75"},
	{"memory_prereq_conversation/memory_healthcare.json", 25116, "56e7bd7b2e7c01efe81f1e0be85149ea3886bb2d9cb59f90e9d9e27b91f4604d"},
	{"memory_prereq_conversation/memory_notetaker.json", 5251, "07f3239ef2e9e1421901f05d3c8192469fa129324e124a47bcb35ff9c7785c91"},
	{"memory_prereq_conversation/memory_student.json", 97092, "e2d6c32e9e2671c61f682e845dcdafd9eee7c9f3e2d5da1615d3afd2aeecf2f0"},
	{"multi_turn_func_doc/gorilla_file_system.json", 13953, "c4c1b741c71e2a17c97a5dc9c4a91d89978c4eaece56494d14272d5df6c650e9"},
	{"multi_turn_func_doc/math_api.json", 9158, "83fa31708c89442bdcf12ac4dfbe3be8663ec9183a1b1524a9fda98164bc7e0b"},
	{"multi_turn_func_doc/memory_kv.json", 9087, "96480cd9cbd3d4a34cd8f78879bc6622731768a26e080f7a34782e36e3402287"},
	{"multi_turn_func_doc/memory_rec_sum.json", 2501, "4ceff946df00983c7f0b95d1b70ae402247f3312fb898bac9ecfa1de52f5a783"},
	{"multi_turn_func_doc/memory_vector.json", 7287, "917908ca99fdd01e203274b7ec6eb2347fa91d57f3c6341e20945cc9c9d746cf"},
	{"multi_turn_func_doc/message_api.json", 6027, "4d58ea933a5d2b280d7a52366617fb47fecd333d7b0e08e724db6fa12fb5f847"},
	{"multi_turn_func_doc/posting_api.json", 10573, "87f9fc404a06e4107d7c366f1399c596440e84c16cb119faf374b2f532d86e8b"},
	{"multi_turn_func_doc/ticket_api.json", 6648, "31324e0380782664fe82ba05bd23517808ad55692b45a5fe7c3d4d395fe4f0f8"},
	{"multi_turn_func_doc/trading_bot.json", 12608, "1a7933fd8f0cb8fbec38aeae05cb8c24132747cad4904fe1c13ac3d01fc22c2d"},
	{"multi_turn_func_doc/travel_booking.json", 16979, "f17b950c13adddf41d0848077df58788252e4c2e7cad5cfa71c8c4bf04f57b26"},
	{"multi_turn_func_doc/vehicle_control.json", 17545, "0c8a66292844874ef7b168f343bc394d8615d2d9e1f4387999a9ee23011eac78"},
	{"multi_turn_func_doc/web_search.json", 2252, "61fcee411e35f7ff67415e18cd67276615cf06e1c8841a683d2d997dbb46eac5"},
	{"possible_answer/BFCL_v4_memory.json", 28325, "2355cf8d842f94af6bcb7bfa6ad2f9e472bc6d825d6ecd45702cfc41e27d7e5d"},
	{"possible_answer/BFCL_v4_multi_turn_base.json", 78931, "1fee67823b317571649177dd89d63969feaae4e810cc7448ee55ba797fb7c8fc"},
	{"possible_answer/BFCL_v4_multi_turn_long_context.json", 114439, "e82aa0e839c39d23c64a05834f7ae024d7c9738ec21738ecee78dc876e3d0d18"},
	{"possible_answer/BFCL_v4_multi_turn_miss_func.json", 80589, "69e679b806d1c871b05393a4b95583bb973248e5b8d96c2d7f4ca05e29fc32e6"},
	{"possible_answer/BFCL_v4_multi_turn_miss_param.json", 80816, "59c442901779e2c31c33abcd566d032e03736e5ad8069de2fe05489873046ecf"},
	{"possible_answer/BFCL_v4_web_search.json", 75962, "771cab45fdad5744563456801d4623a42c5a358f10514b9b9105d2f6052b4999"},
}

// bfclNotFetched names the files of shared/data/bfcl_v4 that a fetch does
// not provide.
const bfclNotFetched = `golden/ (the recorded upstream traces and checker cases) is not fetched:
it comes with the project's shared data set (shared/data/bfcl_v4/ beside a
checkout); only the tests read it, and they are skipped without it.`

//go:embed long_context_constants.json.gz
var longContextConstantsGz []byte

// longContextConstants is long_context_constants.json: the 16 constants of
// upstream's bfcl_eval/eval_checker/multi_turn_eval/func_source_code/long_context.py
// at BFCLCommit as JSON (golden/README.md section 7), built into seeupo.
func longContextConstants() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(longContextConstantsGz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// splitsSource names where the reference split comes from.
const splitsSource = "reference split used by the SeeUPO release (AgentEvolver, branch seeupo, external/bfcl/data/BFCL_v4_multi_turn_base_{train,test}.parquet, commit e59dea4)"

// splitsJSON is splits.json: the reference split of multi_turn_base
// (train: entries 0-99, test: 100-199), written as json.dumps(indent=1).
func splitsJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString("{\n \"source\": \"" + splitsSource + "\",\n \"multi_turn_base\": {")
	for i, split := range []string{"train", "test"} {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  \"" + split + "\": [")
		for j := 0; j < 100; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n   \"multi_turn_base_%d\"", 100*i+j)
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n }\n}")
	return []byte(b.String()), nil
}

// BFCL returns the BFCL v4 data set at the pinned commit: the files of
// upstream bfcl_eval/data/ that the port reads (every category's
// questions, possible answers, function docs, memory and web-search files,
// the format-sensitivity id list) and the repository licence, downloaded;
// and long_context_constants.json and splits.json, which are not upstream
// files, written from the copies built into seeupo.
//
// golden/ is not provided: it comes with the project's shared data set.
func BFCL() Dataset {
	files := make([]File, 0, len(bfclFiles)+2)
	for _, f := range bfclFiles {
		remote := bfclDataDir + f.path
		if f.path == "LICENSE" {
			remote = "LICENSE"
		}
		files = append(files, File{Path: f.path, Remote: remote, Size: f.size, SHA256: f.sha256})
	}
	files = append(files,
		File{Path: "long_context_constants.json", Size: 219310,
			SHA256: "984948df971f53e600e4e611b4c3ae0afa86e4d6241e8bded7b1d0712ce54fa1", Builtin: longContextConstants},
		File{Path: "splits.json", Size: 5318,
			SHA256: "01511b3d23e4dbfacf800e3f4a2c26959046aa2317d21923dadc78af04282b25", Builtin: splitsJSON})
	return Dataset{Name: "bfcl", Dir: "bfcl_v4", Commit: BFCLCommit, Files: files, NotFetched: bfclNotFetched}
}
