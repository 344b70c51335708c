"""Forms of R27's people pages: inviting someone, and accepting an invitation."""

from django import forms

from imagesharing.choices import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="The invitation link goes to this address.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class JoinForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            raise forms.ValidationError("The two passwords differ.")
        return cleaned
