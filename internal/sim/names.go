package sim

import "math/rand/v2"

// A name part in Latin script and in Urdu.
type namePart struct{ latin, urdu string }

var maleNames = []namePart{
	{"Muhammad", "محمد"}, {"Ahmed", "احمد"}, {"Ali", "علی"}, {"Hassan", "حسن"}, {"Hussain", "حسین"},
	{"Imran", "عمران"}, {"Tariq", "طارق"}, {"Shahid", "شاہد"}, {"Asif", "آصف"}, {"Khalid", "خالد"},
	{"Nadeem", "ندیم"}, {"Faisal", "فیصل"}, {"Usman", "عثمان"}, {"Bilal", "بلال"}, {"Zubair", "زبیر"},
	{"Raza", "رضا"}, {"Saeed", "سعید"}, {"Javed", "جاوید"}, {"Rashid", "راشد"}, {"Naveed", "نوید"},
	{"Kamran", "کامران"}, {"Farooq", "فاروق"}, {"Abdul Rehman", "عبدالرحمٰن"}, {"Ghulam Mustafa", "غلام مصطفیٰ"},
	{"Sher Afzal", "شیر افضل"}, {"Junaid", "جنید"}, {"Waqas", "وقاص"}, {"Aamir", "عامر"}, {"Sajid", "ساجد"}, {"Babar", "بابر"},
}

var femaleNames = []namePart{
	{"Ayesha", "عائشہ"}, {"Fatima", "فاطمہ"}, {"Maryam", "مریم"}, {"Shazia", "شازیہ"}, {"Nusrat", "نصرت"},
	{"Rubina", "روبینہ"}, {"Samina", "ثمینہ"}, {"Zahida", "زاہدہ"}, {"Sadia", "سعدیہ"}, {"Nasreen", "نسرین"},
}

// familyNames holds family and tribal names common in each region.
var familyNames = map[string][]namePart{
	"punjab": {{"Chaudhry", "چوہدری"}, {"Malik", "ملک"}, {"Butt", "بٹ"}, {"Awan", "اعوان"}, {"Gondal", "گوندل"},
		{"Cheema", "چیمہ"}, {"Bhatti", "بھٹی"}, {"Warraich", "وڑائچ"}, {"Janjua", "جنجوعہ"}, {"Abbasi", "عباسی"},
		{"Rajput", "راجپوت"}, {"Qureshi", "قریشی"}, {"Gilani", "گیلانی"}, {"Leghari", "لغاری"}, {"Mazari", "مزاری"}},
	"kp": {{"Khan", "خان"}, {"Yousafzai", "یوسفزئی"}, {"Afridi", "آفریدی"}, {"Khattak", "خٹک"}, {"Durrani", "درانی"},
		{"Marwat", "مروت"}, {"Bangash", "بنگش"}, {"Swati", "سواتی"}},
	"sindh": {{"Jatoi", "جتوئی"}, {"Soomro", "سومرو"}, {"Talpur", "ٹالپر"}, {"Memon", "میمن"}, {"Shah", "شاہ"},
		{"Siddiqui", "صدیقی"}, {"Junejo", "جونیجو"}, {"Mahar", "مہر"}, {"Kazmi", "کاظمی"}},
	"balochistan": {{"Baloch", "بلوچ"}, {"Magsi", "مگسی"}, {"Bugti", "بگٹی"}, {"Mengal", "مینگل"}, {"Marri", "مری"},
		{"Jamali", "جمالی"}, {"Kakar", "کاکڑ"}, {"Achakzai", "اچکزئی"}},
}

// personName draws a candidate's name for a region: one in eight is a
// woman's; two in five also carry the name in Urdu.
func personName(region string, r *rand.Rand) (latin, urdu string) {
	first := maleNames
	if r.IntN(8) == 0 {
		first = femaleNames
	}
	families := familyNames[region]
	if families == nil {
		families = familyNames["punjab"] // Islamabad
	}
	f, l := first[r.IntN(len(first))], families[r.IntN(len(families))]
	latin = f.latin + " " + l.latin
	if r.IntN(5) < 2 {
		urdu = f.urdu + " " + l.urdu
	}
	return latin, urdu
}
